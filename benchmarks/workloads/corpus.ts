/**
 * The workload's corpus and patterns (Node-only: reads files).
 *
 * Corpus: real text that nobody in this project wrote and that every machine has after `npm ci`:
 * the JavaScript and declaration files of installed dev dependencies, at the exact versions
 * package-lock.json pins, read line by line. The file list is fixed and ordered, so every machine
 * reads the same lines. Lines are sampled evenly across the files so that every file contributes.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The corpus files, relative to node_modules: JS of uvu, benny and reusify; prose-heavy .d.ts of @types/node. */
export const CORPUS_FILES = [
  'uvu/dist/index.js',
  'uvu/assert/index.js',
  'uvu/diff/index.js',
  'benny/lib/add.js',
  'benny/lib/cycle.js',
  'benny/lib/suite.js',
  'benny/lib/save.js',
  'reusify/reusify.js',
  '@types/node/url.d.ts',
  '@types/node/dns.d.ts',
  '@types/node/async_hooks.d.ts',
  // Installed with @types/node and benny (package-lock.json pins both); the only two of these with
  // trailing whitespace, for the pattern that looks for it.
  'undici-types/fetch.d.ts',
  'json2csv/lib/JSON2CSVParser.js',
] as const;

/**
 * The patterns, of the kinds people run over source. Each has at least one capture group or an
 * anchor, and none has a loop whose body can match the empty string (where RegExp's rules for empty
 * iterations and a Pike VM's may part ways; the subset does not promise them).
 */
export const PATTERNS: readonly string[] = [
  // identifier
  '[A-Za-z_$][\\w$]*',
  // double-quoted string literal, its contents captured
  '"((?:[^"\\\\\\n]|\\\\.)*)"',
  // single-quoted string literal
  "'([^'\\\\\\n]*(?:\\\\.[^'\\\\\\n]*)*)'",
  // number: hex, or decimal with fraction and exponent
  '\\b(0[xX][0-9a-fA-F]+|\\d+(\\.\\d+)?([eE][+-]?\\d+)?)\\b',
  // ES import line
  '^\\s*import\\s+(type\\s+)?(.+?)\\s+from\\s+[\'"]([^\'"]+)[\'"]',
  // CommonJS require
  'require\\(\\s*[\'"]([^\'"]+)[\'"]\\s*\\)',
  // trailing whitespace
  '\\s+$',
  // e-mail-like
  '([\\w.+-]+)@([\\w-]+(?:\\.[\\w-]+)+)',
  // URL
  'https?://([^\\s/\'"<>)]+)([^\\s\'"<>)]*)',
  // function declaration with its parameter list
  '\\bfunction\\s*(\\w*)\\s*\\(([^)]*)\\)',
  // declaration in a .d.ts
  '^\\s*(export\\s+)?(declare\\s+)?(interface|type|class|function|const)\\s+([\\w$]+)',
  // JSDoc tag with its argument
  '@(param|returns?|since|deprecated|link|see)\\b\\s*(\\{[^}]*\\})?\\s*(\\S*)',
  // one-line block comment, lazily
  '/\\*+(.*?)\\*/',
  // property assignment or object key: name, then value up to ; or ,
  '^\\s*([\\w$.]+)\\s*[:=]\\s*([^;,]+?)[;,]?$',
  // semver-like version
  '(\\d+)\\.(\\d+)\\.(\\d+)(-[\\w.]+)?',
];

function findNodeModules(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'node_modules');
    if (existsSync(join(candidate, CORPUS_FILES[0]))) return candidate;
    const up = dirname(dir);
    if (up === dir) throw new Error(`regex workload: no node_modules with ${CORPUS_FILES[0]} above ${fileURLToPath(import.meta.url)}; run npm ci`);
    dir = up;
  }
}

export interface CorpusOptions {
  /** Lines to pick, evenly spaced over every eligible line (default: all of them). */
  lines?: number;
  /** Longest line kept, in UTF-16 code units (default: no limit). */
  maxLength?: number;
}

/** Every non-blank line of the corpus files in order, filtered and sampled as asked. */
export function loadCorpus(options: CorpusOptions = {}): string[] {
  const root = findNodeModules();
  const maxLength = options.maxLength ?? Infinity;
  const all: string[] = [];
  for (const file of CORPUS_FILES) {
    for (const line of readFileSync(join(root, file), 'utf8').split(/\r?\n/)) {
      if (line.trim() !== '' && line.length <= maxLength) all.push(line);
    }
  }
  const want = options.lines ?? all.length;
  if (want >= all.length) return all;
  const picked: string[] = [];
  for (let i = 0; i < want; i++) picked.push(all[Math.floor((i * all.length) / want)]!);
  return picked;
}

/** The short-line corpus the benchmark cases search: lines of at most 80 code units. */
export const SHORT_LINE_MAX = 80;
