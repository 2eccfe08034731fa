import { notFound } from "next/navigation";
import { AppError } from "@/lib/errors";

/** Runs a mail read; "not found" (which is also "not yours") renders the 404 page. */
export async function loadOr404<T>(load: Promise<T>): Promise<T> {
  try {
    return await load;
  } catch (err) {
    if (err instanceof AppError && err.code === "not_found") notFound();
    throw err;
  }
}
