import { useQueryClient } from "@tanstack/react-query";
import { useRef, useState } from "react";
import { Link, useSearchParams } from "react-router";
import { ApiError, apiFetch } from "@ardea/api/client";
import { useGatewayEndpoints } from "@ardea/api/queries/gateway";
import { ErrorBanner } from "@ardea/components/ui/ErrorBanner";
import { tracePath } from "@ardea/lib/paths";
import { GatewayNav } from "./GatewayNav";
import { UsagePanel } from "./UsagePanel";
import { readChunk, SseParser, type StreamUsage } from "./sse";

/** Where the playground sends its chats: the gateway's OpenAI-compatible route. */
export const CHAT_URL = "/gateway/v1/chat/completions";

interface Outcome {
  text: string;
  usage?: StreamUsage;
  ttftMs?: number;
  latencyMs?: number;
  traceId?: string;
  error?: unknown;
  streaming: boolean;
}

/**
 * Send one chat to `endpoint` with `stream: true` and report the answer as it streams
 * (`onUpdate` after every chunk). Resolves with the final outcome.
 */
export async function streamChat(
  endpoint: string,
  messages: { role: string; content: string }[],
  onUpdate: (o: Outcome) => void,
  signal?: AbortSignal,
): Promise<Outcome> {
  const started = performance.now();
  const response = await apiFetch(CHAT_URL, {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "text/event-stream" },
    body: JSON.stringify({ model: endpoint, messages, stream: true, stream_options: { include_usage: true } }),
    signal,
  });
  if (!response.ok) throw await gatewayError(response);
  const out: Outcome = { text: "", streaming: true, traceId: response.headers.get("X-Ardea-Trace-Id") ?? undefined };
  const parser = new SseParser();
  const decoder = new TextDecoder();
  const reader = response.body?.getReader();
  const take = (text: string) => {
    for (const event of parser.feed(text)) {
      if ("done" in event) continue;
      const chunk = readChunk(event.data);
      if (chunk.error) out.error = new Error(chunk.error);
      if (chunk.text) {
        if (out.ttftMs === undefined) out.ttftMs = performance.now() - started;
        out.text += chunk.text;
      }
      if (chunk.usage) out.usage = chunk.usage;
    }
    onUpdate({ ...out });
  };
  if (reader) {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      take(decoder.decode(value, { stream: true }));
    }
  } else take(await response.text());
  take(decoder.decode());
  out.latencyMs = performance.now() - started;
  out.streaming = false;
  onUpdate({ ...out });
  return out;
}

/** The error of a failed gateway call: OpenAI's `{error: {message, code}}` (or the text). */
export async function gatewayError(response: Response): Promise<ApiError> {
  const text = await response.text();
  let body: { error?: { message?: string; code?: string | null } } = {};
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    // not JSON: the text is the message
  }
  const message = body.error?.message ?? (text.slice(0, 500) || `HTTP ${response.status}`);
  return new ApiError(response.status, body.error?.code ?? "HTTP_ERROR", message);
}

const ms = (v: number | undefined) => (v === undefined ? "—" : `${Math.round(v)} ms`);

/** Pick an endpoint, write a system and a user message, and watch the answer stream in. */
export default function PlaygroundPage() {
  const endpoints = useGatewayEndpoints();
  const [params, setParams] = useSearchParams();
  const [system, setSystem] = useState("You are a helpful assistant.");
  const [user, setUser] = useState("");
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const abort = useRef<AbortController | null>(null);
  const qc = useQueryClient();
  const [hourEnd] = useState(() => Math.ceil(Date.now() / 60_000) * 60_000 + 3_600_000);
  const list = endpoints.data ?? [];
  const chosen = params.get("endpoint") ?? list[0]?.name ?? "";
  const endpoint = list.find((e) => e.name === chosen);

  const send = async () => {
    abort.current?.abort();
    const controller = new AbortController();
    abort.current = controller;
    const messages = [...(system.trim() ? [{ role: "system", content: system }] : []), { role: "user", content: user }];
    setOutcome({ text: "", streaming: true });
    try {
      await streamChat(chosen, messages, setOutcome, controller.signal);
    } catch (error) {
      if (!controller.signal.aborted) setOutcome((o) => ({ ...(o ?? { text: "" }), streaming: false, error }));
    }
    void qc.invalidateQueries({ queryKey: ["gateway", "usage"] });
  };

  return (
    <div className="gateway-page">
      <GatewayNav title="Gateway playground" />
      <ErrorBanner error={endpoints.error} />
      <form
        className="gateway-form playground"
        aria-label="Chat"
        onSubmit={(e) => {
          e.preventDefault();
          void send();
        }}
      >
        <label>
          Endpoint{" "}
          <select
            aria-label="Endpoint"
            value={chosen}
            onChange={(e) => {
              const next = new URLSearchParams(params);
              next.set("endpoint", e.target.value);
              setParams(next);
            }}
          >
            {list.map((e) => (
              <option key={e.endpoint_id}>{e.name}</option>
            ))}
          </select>
        </label>
        <label>
          System
          <textarea aria-label="System message" rows={2} value={system} onChange={(e) => setSystem(e.target.value)} />
        </label>
        <label>
          User
          <textarea aria-label="User message" rows={4} value={user} onChange={(e) => setUser(e.target.value)} required />
        </label>
        <button type="submit" disabled={!chosen || !user.trim() || outcome?.streaming === true}>
          {outcome?.streaming ? "Streaming…" : "Send"}
        </button>
      </form>
      {outcome ? (
        <section aria-label="Answer" className="playground-answer">
          <pre data-testid="playground-answer" aria-busy={outcome.streaming}>
            {outcome.text}
          </pre>
          <ErrorBanner error={outcome.error} />
          <dl className="gateway-facts" aria-label="Call">
            <dt>Time to first token</dt>
            <dd data-testid="playground-ttft">{ms(outcome.ttftMs)}</dd>
            <dt>Latency</dt>
            <dd data-testid="playground-latency">{ms(outcome.latencyMs)}</dd>
            <dt>Tokens</dt>
            <dd data-testid="playground-usage">
              {outcome.usage ? `${outcome.usage.prompt_tokens ?? 0} in / ${outcome.usage.completion_tokens ?? 0} out` : "—"}
            </dd>
            <dt>Trace</dt>
            <dd>
              {outcome.traceId && endpoint?.experiment_id ? (
                <Link to={tracePath(endpoint.experiment_id, outcome.traceId)}>{outcome.traceId}</Link>
              ) : (
                (outcome.traceId ?? "not recorded")
              )}
            </dd>
          </dl>
        </section>
      ) : null}
      {chosen ? (
        <>
          <h2>This endpoint, last hour</h2>
          <UsagePanel query={{ start: hourEnd - 2 * 3_600_000, end: hourEnd, groupBy: "model", bucket: "minute", endpoint: chosen }} refetchInterval={5000} />
        </>
      ) : null}
    </div>
  );
}
