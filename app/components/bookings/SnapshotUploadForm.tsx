/**
 * "Upload Whiteboard Snapshot": a file input in a plain multipart form, so it works the same with
 * JavaScript on or off. `accept` only helps the file picker; the server judges the bytes.
 */
export function SnapshotUploadForm({
  action,
  id = "snapshot",
  label = "Whiteboard snapshot",
  errorId,
}: {
  action: string;
  /** The file input's id; keep it unique when several forms share a page. */
  id?: string;
  label?: string;
  /** The id of an error message about this form, if one is shown. */
  errorId?: string;
}) {
  const hintId = `${id}-hint`;
  return (
    <form method="post" action={action} encType="multipart/form-data" className="stack">
      <div>
        <label htmlFor={id}>{label}</label>
        <input
          id={id}
          type="file"
          name="snapshot"
          accept="image/png,image/jpeg,image/webp"
          required
          aria-describedby={errorId ? `${errorId} ${hintId}` : hintId}
        />
        <p className="muted" id={hintId}>
          A photo or screenshot of the whiteboard: PNG, JPEG or WebP, up to 10 MB.
        </p>
      </div>
      <button type="submit" className="primary">
        Upload Whiteboard Snapshot
      </button>
    </form>
  );
}
