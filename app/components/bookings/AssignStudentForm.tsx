import { getFormProps, getSelectProps, useForm, type SubmissionResult } from "@conform-to/react";
import { Form } from "react-router";
import { Errors } from "~/components/Errors";

export type AssignStudentFormProps = {
  bookingId: string;
  clientName: string;
  current: { id: string; fullName: string } | null;
  /** Students the viewer holds an ACTIVE GUARDIAN edge to: the only ones offered. */
  wards: { id: string; fullName: string }[];
  returnTo: string;
  lastResult?: SubmissionResult<string[]> | null;
};

/**
 * v5.0 assignment as a plain form (works without JavaScript). It posts to the booking's student
 * route, which checks the guardian edge again and shows any refusal on this form.
 */
export function AssignStudentForm({
  bookingId,
  clientName,
  current,
  wards,
  returnTo,
  lastResult,
}: AssignStudentFormProps) {
  const [form, fields] = useForm<{ studentId: string; returnTo: string }>({
    id: `assign-student-${bookingId}`,
    lastResult,
    defaultValue: { studentId: current?.id ?? "" },
    shouldValidate: "onSubmit",
  });
  // Show the current student even when they are not the viewer's ward (say, assigned by the parent).
  const unlistedCurrent = current && !wards.some((ward) => ward.id === current.id) ? current : null;
  return (
    <Form method="post" action={`/bookings/${bookingId}/student`} className="stack" {...getFormProps(form)}>
      <input type="hidden" name="returnTo" value={returnTo} />
      <Errors id={form.errorId} errors={form.errors} alert />
      <div>
        <label htmlFor={fields.studentId.id}>Who attends</label>
        <select {...getSelectProps(fields.studentId)}>
          <option value="">{clientName} (adult learner, no student)</option>
          {unlistedCurrent ? (
            <option value={unlistedCurrent.id}>{unlistedCurrent.fullName} (assigned now)</option>
          ) : null}
          {wards.map((ward) => (
            <option key={ward.id} value={ward.id}>
              {ward.fullName}
            </option>
          ))}
        </select>
        <Errors id={fields.studentId.errorId} errors={fields.studentId.errors} />
        {wards.length === 0 ? (
          <p className="muted">You can assign a student once you are their active guardian.</p>
        ) : null}
      </div>
      <button type="submit">Save who attends</button>
    </Form>
  );
}
