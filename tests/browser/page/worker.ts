/** The Web Worker script of the browser tests: answers the page's commands (see rpc.ts). */
import { bufferChecks } from './buffer.js';
import { localChecks } from './local.js';
import { serve } from './rpc.js';
import { releaseFromWorker, ringWorker, type RingWorkerArgs } from './shared.js';
import type { SharedPoolHandle } from '../../../src/index.js';

serve({
  local: (tag: string) => localChecks(tag),
  buffer: (tag: string) => bufferChecks(tag),
  ring: (args: RingWorkerArgs) => ringWorker(args),
  releaseFromWorker: (args: { handle: SharedPoolHandle; index: number }) => releaseFromWorker(args),
});
