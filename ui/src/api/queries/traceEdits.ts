// TanStack Query mutations on traces: feedback (CreateAssessment) and trace tags.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { apiPost, apiSend } from "../client";
import type { Answer, RequestBody } from "../types";



/** New feedback from the UI. */
export interface NewFeedback {
  name: string;
  value: boolean | number | string;
  rationale: string;
}

const tracePath = (traceId: string) => `/3.0/mlflow/traces/${encodeURIComponent(traceId)}`;

function useTraceMutation<V>(traceId: string, call: (vars: V) => Promise<unknown>) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: call,
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: ["trace", traceId] });
      void client.invalidateQueries({ queryKey: ["traces"] });
    },
  });
}

/** Add human feedback to a trace (source HUMAN, "ardea-ui"). */
export function useAddFeedback(traceId: string) {
  return useTraceMutation(traceId, (f: NewFeedback) =>
    apiPost<Answer<"create_assessment_post">>(`${tracePath(traceId)}/assessments`, {
      assessment: {
        assessment_name: f.name,
        trace_id: traceId,
        source: { source_type: "HUMAN", source_id: "ardea-ui" },
        feedback: { value: f.value },
        ...(f.rationale ? { rationale: f.rationale } : {}),
      },
    }),
  );
}

/** Set a tag on a trace. */
export function useSetTraceTag(traceId: string) {
  return useTraceMutation(traceId, (t: RequestBody<"set_trace_tag_patch">) => apiSend("PATCH", `${tracePath(traceId)}/tags`, t));
}

/** Remove a tag from a trace. */
export function useDeleteTraceTag(traceId: string) {
  return useTraceMutation(traceId, (key: string) =>
    apiSend("DELETE", `${tracePath(traceId)}/tags?${new URLSearchParams({ key }).toString()}`),
  );
}
