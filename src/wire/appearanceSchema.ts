// The `appearance` config section (DESIGN §9): one schema shared by the admin, the server (config:set validates
// against it) and the reference widget (which reads it from GET /config/appearance). Every key is optional: the
// widget falls back to its own defaults.
import { z } from 'zod';

const colour = z
  .string()
  .regex(/^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/, 'must be a hex colour like #1a73e8')
  .describe('A CSS hex colour, #rgb or #rrggbb.');

export const appearanceSchema = z.strictObject({
  colors: z
    .strictObject({
      primary: colour.optional().describe('Launcher, header and the user’s bubbles.'),
      background: colour.optional().describe('The chat panel.'),
      text: colour.optional().describe('Body text on the background.'),
      accent: colour.optional().describe('Buttons and links.'),
    })
    .optional(),
  position: z.enum(['bottom-right', 'bottom-left']).optional().describe('Where the launcher sits.'),
  greeting: z.string().min(1).max(500).optional().describe('The first message shown when the panel opens.'),
  launcherLabel: z.string().min(1).max(60).optional().describe('Text (and accessible name) of the launcher button.'),
});

export type Appearance = z.infer<typeof appearanceSchema>;

/** Sections with a schema of their own; any other section is a JSON object (at most 16 KB). */
export const CONFIG_SECTION_SCHEMAS: Record<string, z.ZodType> = { appearance: appearanceSchema };
