/** Keys and values (params, tags) as a two-column table, or "None." when there are none. */
export function KeyValueTable({ label, items, empty = "None." }: { label: string; items: readonly { key: string; value?: string | null }[]; empty?: string }) {
  if (items.length === 0) return <p className="muted">{empty}</p>;
  return (
    <table className="plain" aria-label={label}>
      <tbody>
        {items.map((kv) => (
          <tr key={kv.key}>
            <th scope="row">{kv.key}</th>
            <td>{kv.value ?? ""}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
