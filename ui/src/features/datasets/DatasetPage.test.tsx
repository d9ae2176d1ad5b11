import { fireEvent, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { fakeFetch, renderAt } from "@ardea/test/render";
import DatasetPage from "./DatasetPage";

afterEach(() => vi.unstubAllGlobals());

const record = (id: string, q: string, answer: string) => ({
  dataset_record_id: id,
  dataset_id: "d-1",
  inputs: { q },
  expectations: { answer },
  tags: {},
  created_time: 1,
  last_update_time: 1,
});

const version = (v: number) => ({
  dataset_id: "d-1",
  version: v,
  digest: `dg${v}`,
  num_records: v,
  change: v === 1 ? "create" : "upsert",
  inserted: 1,
  updated: 0,
  deleted: 0,
  tags: {},
  created_time: 1,
});

describe("DatasetPage", () => {
  it("shows records, diffs the two newest versions and saves edited expectations by upsert", async () => {
    const upserts: unknown[] = [];
    let diffAsked: URL | undefined;
    fakeFetch({
      "GET /ajax-api/3.0/mlflow/datasets/d-1": () => ({
        json: { dataset: { dataset_id: "d-1", name: "facts", tags: "{}", digest: "dg3", created_time: 1, last_update_time: 1, experiment_ids: ["1"], version: 3, profile: '{"num_records": 2}' } },
      }),
      "GET /ajax-api/3.0/mlflow/datasets/d-1/records": () => ({ json: { records: JSON.stringify([record("dr-1", "one", "a1"), record("dr-2", "two", "a2")]) } }),
      "GET /ajax-api/3.0/ardea/datasets/d-1/versions": () => ({ json: { versions: [version(3), version(2), version(1)] } }),
      "GET /ajax-api/3.0/ardea/datasets/d-1/diff": (_b, url) => {
        diffAsked = url;
        return {
          json: {
            dataset_id: "d-1",
            from_version: 2,
            to_version: 3,
            added: [{ dataset_record_id: "dr-2", fields: [], after: record("dr-2", "two", "a2") }],
            removed: [],
            changed: [{ dataset_record_id: "dr-1", fields: ["expectations"], before: record("dr-1", "one", "old"), after: record("dr-1", "one", "a1") }],
            tags_before: {},
            tags_after: {},
          },
        };
      },
      "POST /ajax-api/3.0/mlflow/datasets/d-1/records": (body) => {
        upserts.push(body);
        return { json: { inserted_count: 0, updated_count: 1, version: 4 } };
      },
    });
    renderAt(<DatasetPage />, "/datasets/:datasetId", "/datasets/d-1");

    expect(await screen.findByRole("heading", { name: "facts" })).toBeInTheDocument();
    const records = await screen.findByRole("table", { name: "Records" });
    expect(records.querySelectorAll("tbody tr")).toHaveLength(2);
    const diff = await screen.findByTestId("dataset-diff");
    expect(diffAsked?.searchParams.get("from_version")).toBe("2");
    expect(diffAsked?.searchParams.get("to_version")).toBe("3");
    expect(within(diff).getByRole("region", { name: "changed" })).toHaveTextContent('"old"');
    expect(within(diff).getByRole("region", { name: "added" })).toHaveTextContent("two");

    await userEvent.click(screen.getByRole("button", { name: "Edit expectations of dr-1" }));
    const editor = screen.getByRole("textbox", { name: "Expectations of dr-1" });
    fireEvent.change(editor, { target: { value: '{"answer": "new"}' } });
    await userEvent.click(screen.getByRole("button", { name: "Save" }));
    await vi.waitFor(() => expect(upserts).toHaveLength(1), { timeout: 5000 });
    expect(JSON.parse((upserts[0] as { records: string }).records)).toEqual([{ inputs: { q: "one" }, expectations: { answer: "new" } }]);
  });
});
