import { z } from "zod";
import { roles } from "../auth/privileges";
import { passwordWeakness } from "../auth/passwords";

const email = z
  .string()
  .trim()
  .toLowerCase()
  .min(1, "Enter an email address.")
  .max(254, "Use at most 254 characters.")
  .email("Enter a valid email address, e.g. name@example.com.");

const name = z.string().trim().min(1, "Enter a name.").max(200, "Use at most 200 characters.");

/** The first-admin setup form and the create-user form (role added). */
export const newUserInput = z
  .object({ email, name, password: z.string() })
  .superRefine((v, ctx) => {
    const weak = passwordWeakness(v.password, v.email);
    if (weak) ctx.addIssue({ code: "custom", path: ["password"], message: weak });
  });

export const createUserInput = newUserInput.and(z.object({ role: z.enum(roles) }));

export const updateUserInput = z
  .object({
    id: z.string().uuid(),
    name,
    role: z.enum(roles),
    active: z.boolean(),
    /** Blank keeps the current password. */
    password: z.string().optional().default(""),
  })
  .superRefine((v, ctx) => {
    if (!v.password) return;
    const weak = passwordWeakness(v.password);
    if (weak) ctx.addIssue({ code: "custom", path: ["password"], message: weak });
  });

export type NewUserInput = z.infer<typeof newUserInput>;
export type CreateUserInput = z.infer<typeof createUserInput>;
export type UpdateUserInput = z.infer<typeof updateUserInput>;
