// OTLP proto-JSON values and spans as plain JS values.
import type { OtelSpan, OtelValue } from "@ardea/api/types";

/** An OTLP AnyValue as a JS value (ints as numbers when safe). */
export function otelValue(v: OtelValue | undefined): unknown {
  if (!v) return null;
  if (v.string_value !== undefined) return v.string_value;
  if (v.int_value !== undefined) return Number(v.int_value);
  if (v.double_value !== undefined) return v.double_value;
  if (v.bool_value !== undefined) return v.bool_value;
  if (v.array_value) return (v.array_value.values ?? []).map(otelValue);
  if (v.kvlist_value) return Object.fromEntries((v.kvlist_value.values ?? []).map((kv) => [kv.key, otelValue(kv.value)]));
  return null;
}

/** A span's attributes as a key -> value map. */
export function spanAttributes(span: OtelSpan): Map<string, unknown> {
  return new Map((span.attributes ?? []).map((kv) => [kv.key, otelValue(kv.value)]));
}

/** MLflow stores span inputs/outputs/type as JSON strings: parse them when they are. */
export function parseMaybeJson(value: unknown): unknown {
  if (typeof value !== "string") return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

/** Any value as display text: strings as they are, the rest as indented JSON. */
export function displayText(value: unknown): string {
  if (typeof value === "string") return value;
  if (value === undefined) return "";
  return JSON.stringify(value, null, 2) ?? String(value);
}

/** Nanoseconds (number or string) as milliseconds. */
export function nsToMs(ns: number | string | undefined): number {
  if (ns === undefined || ns === "") return Number.NaN;
  return Number(ns) / 1e6;
}
