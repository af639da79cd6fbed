import './tracing';
import { runMain } from '@app/transport';
import { startGateway } from './start-gateway';

runMain('gateway', startGateway);
