/** The Web Worker script of the browser tests: answers the page's commands (see rpc.ts). */
import { localChecks } from './local.js';
import { serve } from './rpc.js';

serve({
  local: (tag: string) => localChecks(tag),
});
