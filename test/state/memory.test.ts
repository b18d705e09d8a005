import { MemoryStateStore } from '../../src/state/memory.js';
import { stateStoreSuite } from './store-suite.js';

stateStoreSuite('memory', async () => ({ store: new MemoryStateStore(), cleanup: async () => undefined }));
