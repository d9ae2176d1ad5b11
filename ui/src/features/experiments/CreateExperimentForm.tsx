import { useState } from "react";
import { useNavigate } from "react-router";
import { useCreateExperiment } from "@ardea/api/queries/experiments";
import { ErrorBanner } from "@ardea/components/ui/ErrorBanner";
import { Gated } from "@ardea/components/ui/Gated";
import { useCanCreate } from "@ardea/hooks/useCan";
import { runsPath } from "@ardea/lib/paths";

/** "New experiment": a name box; opens the new experiment when created (disabled for non-members). */
export function CreateExperimentForm() {
  const [name, setName] = useState("");
  const create = useCreateExperiment();
  const navigate = useNavigate();
  const denied = useCanCreate().why("USE", "create experiments in it");
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
      <input
        type="text"
        placeholder="New experiment name"
        aria-label="New experiment name"
        value={name}
        disabled={Boolean(denied)}
        title={denied || undefined}
        onChange={(ev) => setName(ev.target.value)}
      />
      <Gated reason={denied}>
        <button type="submit" className="primary" disabled={!name.trim() || create.isPending}>
          Create
        </button>
      </Gated>
      <ErrorBanner error={create.error} prefix="Create failed" />
    </form>
  );
}
