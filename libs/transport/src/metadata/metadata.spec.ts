import { StatusCode } from '../status/status-code';
import { sanitizeMetadata, validateMetadata } from './metadata';

describe('metadata values', () => {
  it.each([
    ['a plain value', 'orders', true],
    ['inner spaces', 'a b  c', true],
    ['every printable ASCII character', Array.from({ length: 95 }, (_, i) => String.fromCharCode(0x20 + i)).join('').trim(), true],
    ['the empty string', '', true],
    ['a leading space', ' orders', false],
    ['a trailing space', 'orders ', false],
    ['a single space', ' ', false],
    ['a line break', 'a\r\nb', false],
    ['a tab', 'a\tb', false],
    ['non-ASCII', 'caf\u00e9', false],
  ])('%s: accepted %s', (_what, value, accepted) => {
    expect(sanitizeMetadata({ 'x-k': value })).toEqual(accepted ? { 'x-k': value } : {});
    if (accepted) expect(() => validateMetadata({ 'x-k': value })).not.toThrow();
    else expect(() => validateMetadata({ 'x-k': value })).toThrow(expect.objectContaining({ code: StatusCode.INVALID_ARGUMENT }));
  });
});
