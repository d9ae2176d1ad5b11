import { useState } from "react";
import { useNavigate } from "react-router";
import { useCreateExperiment } from "@ardea/api/queries/experiments";
import { ErrorBanner } from "@ardea/components/ui/ErrorBanner";
import { runsPath } from "@ardea/lib/paths";

/** "New experiment": a name box; opens the new experiment when created. */
export function CreateExperimentForm() {
  const [name, setName] = useState("");
  const create = useCreateExperiment();
  const navigate = useNavigate();
  return (
    <form
      className="toolbar"
      style={{ marginBottom: 0 }}
      onSubmit={(ev) => {
        ev.preventDefault();
        if (!name.trim()) return;
        create.mutate(name.trim(), {
          onSuccess: (r) => {
            setName("");
            void navigate(runsPath(r.experiment_id));
          },
        });
      }}
    >
      <input type="text" placeholder="New experiment name" aria-label="New experiment name" value={name} onChange={(ev) => setName(ev.target.value)} />
      <button type="submit" className="primary" disabled={!name.trim() || create.isPending}>
        Create
      </button>
      <ErrorBanner error={create.error} prefix="Create failed" />
    </form>
  );
}
