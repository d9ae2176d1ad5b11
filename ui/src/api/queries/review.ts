// TanStack Query hooks for human review queues (Ardea's `/3.0/ardea/review/*` routes): the
// queues of an experiment with their progress, one queue's items, the caller's next item, and
// the writes (create, add, assign, submit, skip, labels to a dataset).
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { apiGet, apiPost } from "../client";
import type { Answer, QueueProgress, RequestBody, ReviewItem, ReviewQueue } from "../types";

const R = "/3.0/ardea/review";

const noRetryOn4xx = (count: number, error: Error) =>
  !("status" in error && typeof error.status === "number" && error.status >= 400 && error.status < 500) && count < 2;

/** The queues of an experiment, each with its progress. */
export function useReviewQueues(experimentId: string) {
  return useQuery({
    queryKey: ["review-queues", experimentId],
    queryFn: ({ signal }) =>
      apiGet<Answer<"list_queues_get">>(`${R}/queues/list`, { experiment_id: experimentId }, signal).then((r) => ({
        queues: (r.queues ?? []) as ReviewQueue[],
        progress: (r.progress ?? []) as QueueProgress[],
      })),
    retry: noRetryOn4xx,
  });
}

/** One queue with its progress. */
export function useReviewQueue(queueId: string) {
  return useQuery({
    queryKey: ["review-queue", queueId],
    queryFn: ({ signal }) => apiGet<Answer<"get_queue_get">>(`${R}/queues/get`, { queue_id: queueId }, signal),
    retry: noRetryOn4xx,
  });
}

/** A queue's items by position (up to 1000). */
export function useReviewItems(queueId: string) {
  return useQuery({
    queryKey: ["review-items", queueId],
    queryFn: ({ signal }) =>
      apiGet<Answer<"list_items_get">>(`${R}/items/list`, { queue_id: queueId, max_results: "1000" }, signal).then(
        (r) => (r.items ?? []) as ReviewItem[],
      ),
    retry: noRetryOn4xx,
  });
}

/** One item with its queue. */
export function useReviewItem(itemId: string) {
  return useQuery({
    queryKey: ["review-item", itemId],
    queryFn: ({ signal }) => apiGet<Answer<"get_item_get">>(`${R}/items/get`, { item_id: itemId }, signal),
    retry: noRetryOn4xx,
    enabled: itemId !== "",
  });
}

/** The caller's next pending item after `afterPosition` (null: none left). */
export function fetchNextItem(queueId: string, afterPosition: number): Promise<ReviewItem | null> {
  return apiGet<Answer<"next_item_get">>(`${R}/items/next`, { queue_id: queueId, after_position: String(afterPosition) }).then(
    (r) => (r.item ?? null) as ReviewItem | null,
  );
}

function useInvalidateQueue(queueId: string) {
  const client = useQueryClient();
  return () => {
    void client.invalidateQueries({ queryKey: ["review-queue", queueId] });
    void client.invalidateQueries({ queryKey: ["review-items", queueId] });
    void client.invalidateQueries({ queryKey: ["review-queues"] });
  };
}

/** Create a queue. */
export function useCreateQueue() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: RequestBody<"create_queue_post">) => apiPost<Answer<"create_queue_post">>(`${R}/queues/create`, body),
    onSuccess: () => void client.invalidateQueries({ queryKey: ["review-queues"] }),
  });
}

/** Add items: by trace ids, by a trace filter, or where a judge said no. */
export function useAddItems(queueId: string) {
  const done = useInvalidateQueue(queueId);
  return useMutation({
    mutationFn: (how: { traceIds: string[] } | { filter: string } | { judge: string }) => {
      if ("traceIds" in how) return apiPost<Answer<"add_items_post">>(`${R}/items/add`, { queue_id: queueId, trace_ids: how.traceIds });
      if ("filter" in how)
        return apiPost<Answer<"add_items_by_filter_post">>(`${R}/items/add-by-filter`, { queue_id: queueId, filter_string: how.filter });
      return apiPost<Answer<"add_items_by_judge_post">>(`${R}/items/add-by-judge`, { queue_id: queueId, judge_name: how.judge });
    },
    onSuccess: done,
  });
}

/** Assign every unassigned pending item round-robin to reviewers. */
export function useAssign(queueId: string) {
  const done = useInvalidateQueue(queueId);
  return useMutation({
    mutationFn: (reviewers: string[]) => apiPost<Answer<"assign_items_post">>(`${R}/items/assign`, { queue_id: queueId, reviewers, all: true }),
    onSuccess: done,
  });
}

/** Submit an item's labels (schema name -> value). */
export function useSubmitLabels(queueId: string) {
  const done = useInvalidateQueue(queueId);
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: { item_id: string; labels: Record<string, unknown>; comment?: string }) =>
      apiPost<Answer<"submit_labels_post">>(`${R}/items/submit`, body),
    onSuccess: (r) => {
      done();
      void client.invalidateQueries({ queryKey: ["review-item", r.item.item_id] });
      if (r.item.trace_id) void client.invalidateQueries({ queryKey: ["trace", r.item.trace_id] });
    },
  });
}

/** Skip an item. */
export function useSkipItem(queueId: string) {
  const done = useInvalidateQueue(queueId);
  return useMutation({
    mutationFn: (itemId: string) => apiPost<Answer<"skip_item_post">>(`${R}/items/skip`, { item_id: itemId }),
    onSuccess: done,
  });
}

/** Make the labels of done items (all, or some) a dataset's expectations. */
export function useLabelsToDataset(queueId: string) {
  return useMutation({
    mutationFn: ({ datasetId, itemIds }: { datasetId: string; itemIds?: string[] }) =>
      apiPost<Answer<"to_dataset_post">>(`${R}/queues/to-dataset`, { queue_id: queueId, dataset_id: datasetId, item_ids: itemIds }),
  });
}
