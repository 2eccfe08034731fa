import { z } from "zod";
import { roles } from "../auth/privileges";
import { passwordWeakness } from "../auth/passwords";

const email = z
  .string()
  .trim()
  .toLowerCase()
  .min(1, "validation.email.required")
  .max(254, "validation.email.tooLong")
  .email("validation.email.invalid");

const name = z.string().trim().min(1, "validation.name.required").max(200, "validation.name.tooLong");

/** The first-admin setup form and the create-user form (role added). */
export const newUserInput = z
  .object({ email, name, password: z.string() })
  .superRefine((v, ctx) => {
    const weak = passwordWeakness(v.password, v.email);
    if (weak) ctx.addIssue({ code: "custom", path: ["password"], message: weak });
  });

export const createUserInput = newUserInput.and(z.object({ role: z.enum(roles, { error: "validation.role" }) }));

export const updateUserInput = z
  .object({
    id: z.string().uuid(),
    name,
    role: z.enum(roles, { error: "validation.role" }),
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
