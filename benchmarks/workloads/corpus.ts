/**
 * The workload's corpus and patterns (Node-only: reads a file).
 *
 * Corpus: `corpus.txt` beside this module's source, shipped inside isopool-bench: 3,400 non-blank
 * lines of this repository's own TypeScript and Markdown (public domain), sampled evenly by
 * make-corpus.ts once and committed, so every machine and every install searches the same lines.
 */
import { readFileSync } from 'node:fs';

/** The corpus file: `benchmarks/workloads/corpus.txt`, from this module compiled to `build/workloads/`. */
export const CORPUS_FILE = new URL('../../workloads/corpus.txt', import.meta.url);

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
  // constructor call with its arguments
  '\\bnew\\s+([A-Z][\\w$]*)\\s*\\(([^)]*)\\)',
  // line comment, its text captured to the end of the line
  '//\\s*(.*)$',
  // Markdown or doc-comment code span
  '`([^`\\n]+)`',
  // URL
  'https?://([^\\s/\'"<>)]+)([^\\s\'"<>)]*)',
  // function declaration with its parameter list
  '\\bfunction\\s*(\\w*)\\s*\\(([^)]*)\\)',
  // declaration in a .d.ts
  '^\\s*(export\\s+)?(declare\\s+)?(interface|type|class|function|const)\\s+([\\w$]+)',
  // arrow function's parameter list
  '\\(([^()]*)\\)\\s*=>',
  // one-line block comment, lazily
  '/\\*+(.*?)\\*/',
  // property assignment or object key: name, then value up to ; or ,
  '^\\s*([\\w$.]+)\\s*[:=]\\s*([^;,]+?)[;,]?$',
  // semver-like version
  '(\\d+)\\.(\\d+)\\.(\\d+)(-[\\w.]+)?',
];

export interface CorpusOptions {
  /** Lines to pick, evenly spaced over every eligible line (default: all of them). */
  lines?: number;
  /** Longest line kept, in UTF-16 code units (default: no limit). */
  maxLength?: number;
}

/** Every non-blank line of the corpus in order, filtered and sampled as asked. */
export function loadCorpus(options: CorpusOptions = {}): string[] {
  const maxLength = options.maxLength ?? Infinity;
  const all: string[] = [];
  for (const line of readFileSync(CORPUS_FILE, 'utf8').split(/\r?\n/)) {
    if (line.trim() !== '' && line.length <= maxLength) all.push(line);
  }
  const want = options.lines ?? all.length;
  if (want >= all.length) return all;
  const picked: string[] = [];
  for (let i = 0; i < want; i++) picked.push(all[Math.floor((i * all.length) / want)]!);
  return picked;
}

/** The short-line corpus the benchmark cases search: lines of at most 80 code units. */
export const SHORT_LINE_MAX = 80;
