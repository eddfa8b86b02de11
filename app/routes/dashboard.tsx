import { data } from "react-router";
import { requireViewer } from "~/.server/auth";
import { listBookingsForViewer } from "~/.server/bookings";
import { SiteHeader } from "~/components/SiteHeader";
import type { Route } from "./+types/dashboard";

export const meta: Route.MetaFunction = () => [{ title: "Your lessons · Tutorwise Classroom" }];

export async function loader({ request }: Route.LoaderArgs) {
  const { viewer, headers } = await requireViewer(request);
  const bookings = await listBookingsForViewer(viewer.id);
  const format = new Intl.DateTimeFormat("en-GB", {
    dateStyle: "medium",
    timeStyle: "short",
    timeZone: viewer.timeZone,
  });
  return data(
    {
      viewer,
      bookings: bookings.map((booking) => ({
        id: booking.id,
        serviceName: booking.serviceName,
        tutorName: booking.tutor.fullName,
        startsAt: format.format(booking.sessionStartTime),
      })),
    },
    { headers },
  );
}

export default function Dashboard({ loaderData }: Route.ComponentProps) {
  const { viewer, bookings } = loaderData;
  return (
    <>
      <SiteHeader viewer={viewer} />
      <main className="page">
        <h1>Your lessons</h1>
        {bookings.length === 0 ? <p>You have no lessons yet.</p> : null}
        <ul>
          {bookings.map((booking) => (
            <li key={booking.id}>
              {booking.serviceName} with {booking.tutorName}, {booking.startsAt}
            </li>
          ))}
        </ul>
      </main>
    </>
  );
}
