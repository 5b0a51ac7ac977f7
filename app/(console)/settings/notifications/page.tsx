import type { Metadata } from "next";
import { NotificationsView } from "./notifications-view";

export const metadata: Metadata = { title: "Notifications · Settings" };

export default function NotificationSettingsPage() {
  return <NotificationsView />;
}
