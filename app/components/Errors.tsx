/**
 * A form's or a field's error messages, linked to its control by `id` (Conform's errorId).
 * Form-level errors are announced (`alert`); field errors are read with their field.
 */
export function Errors({ id, errors, alert = false }: { id: string; errors?: string[]; alert?: boolean }) {
  if (!errors?.length) return null;
  return (
    <p className="error" id={id} role={alert ? "alert" : undefined}>
      {errors.join(" ")}
    </p>
  );
}
