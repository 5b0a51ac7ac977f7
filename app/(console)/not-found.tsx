import type { Metadata } from "next";
import { NotFoundPage } from "@/app/_components/shell/not-found-page";

export const metadata: Metadata = { title: "Page not found" };

/** A missing project or environment (the page called notFound()): the 404 inside the console, sidebar and all. */
export default function ConsoleNotFound() {
  return <NotFoundPage />;
}
