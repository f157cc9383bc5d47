/**
 * Model prices, USD per 1 million tokens, per model name (exact match):
 *
 *     { "gpt-4.1": { "input": 2.0, "output": 8.0, "cached_input": 0.5 } }
 *
 * Headless: `codex-governance serve --price-table FILE.json`; VS Code: the setting
 * `codexGovernance.agents.prices` (the same object). `cached_input` defaults to `input`.
 * Cost of a turn = ((input - cached) x input + cached x cached_input + output x output) / 1e6,
 * since OpenAI's input token count includes the cached ones (`prompt_tokens_details.cached_tokens`).
 */
import { readFile } from 'node:fs/promises';

export interface ModelPrice {
  /** USD per 1M input tokens. */
  input: number;
  /** USD per 1M output tokens. */
  output: number;
  /** USD per 1M cached input tokens; default `input`. */
  cached_input?: number;
}

export type PriceTable = Readonly<Record<string, ModelPrice>>;

/** A bad price table: the message names the model, the key and the fix. */
export class PriceTableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PriceTableError';
  }
}

const KEYS = new Set(['input', 'output', 'cached_input']);

/**
 * Validates a price table (a parsed JSON object or the setting's value).
 * @param where named in errors (the file path or the setting)
 * @throws PriceTableError naming the model and key: not an object, an unknown key, a price that is not a number >= 0, a missing input or output
 */
export function parsePriceTable(value: unknown, where: string): PriceTable {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw new PriceTableError(`${where}: the price table must be an object of model names, e.g. {"gpt-4.1": {"input": 2, "output": 8}} (USD per 1M tokens).`);
  const table: Record<string, ModelPrice> = {};
  for (const [model, price] of Object.entries(value as Record<string, unknown>)) {
    if (!price || typeof price !== 'object' || Array.isArray(price)) throw new PriceTableError(`${where}: "${model}" must be an object {"input", "output", "cached_input"?} in USD per 1M tokens.`);
    for (const [k, v] of Object.entries(price as Record<string, unknown>)) {
      if (!KEYS.has(k)) throw new PriceTableError(`${where}: "${model}".${k} is not a price key; use input, output and cached_input (USD per 1M tokens).`);
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new PriceTableError(`${where}: "${model}".${k} must be a number >= 0 (USD per 1M tokens), got ${JSON.stringify(v)}.`);
    }
    const p = price as Partial<ModelPrice>;
    if (p.input === undefined || p.output === undefined) throw new PriceTableError(`${where}: "${model}" needs both input and output (USD per 1M tokens).`);
    table[model] = { input: p.input, output: p.output, ...(p.cached_input !== undefined ? { cached_input: p.cached_input } : {}) };
  }
  return table;
}

/** @throws PriceTableError naming the file when it is missing, not JSON, or not a valid table */
export async function loadPriceTableFile(file: string): Promise<PriceTable> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new PriceTableError(`Cannot read the price table ${file} (${(err as NodeJS.ErrnoException).code ?? String(err)}). Check the path given to --price-table.`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new PriceTableError(`The price table ${file} is not valid JSON (${err instanceof Error ? err.message : String(err)}).`);
  }
  return parsePriceTable(json, file);
}

/** Cost in USD of one turn, or null when the table has no price for `model`. */
export function costUsd(table: PriceTable, model: string, tokens: { input: number; output: number; cachedInput: number }): number | null {
  const p = Object.hasOwn(table, model) ? table[model] : undefined;
  if (!p) return null;
  const cached = Math.min(tokens.cachedInput, tokens.input);
  return ((tokens.input - cached) * p.input + cached * (p.cached_input ?? p.input) + tokens.output * p.output) / 1_000_000;
}
