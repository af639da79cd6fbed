import { findProtoDrift } from '@app/contracts/proto-drift';
import { ConformanceV1 } from './conformance.contract';

it('conformance.v1 matches its .proto file', () => {
  expect(findProtoDrift(ConformanceV1)).toEqual([]);
});
