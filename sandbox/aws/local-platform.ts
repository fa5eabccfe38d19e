/**
 * The sandbox platform as deployed to the local AWS: the registrar's zone created in the Root
 * account first (moto draws its id), and the model given that id — as an operator records the
 * registrar's zone id in the real model. Written to a platform file too, for child `arda-mail`
 * processes (ARDA_MAIL_PLATFORM_FILE).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { validatePlatform } from "../../platform/load";
import type { Platform } from "../../platform/model";
import { createRegistrarZone, type LocalAws } from "./moto";

export interface LocalPlatform {
  readonly platform: Platform;
  /** The model with the registrar zone's id, for child processes. */
  readonly platformFile: string;
}

export async function localPlatform(base: Platform, aws: LocalAws, dir: string): Promise<LocalPlatform> {
  const { zoneId } = await createRegistrarZone(aws, base);
  const raw = JSON.parse(JSON.stringify(base)) as { rootZone: { id: string } };
  raw.rootZone.id = zoneId;
  const platform = validatePlatform(raw, { source: "sandbox platform on the local AWS", env: {} });
  const platformFile = path.join(dir, `${base.name}.platform.json`);
  fs.writeFileSync(platformFile, `${JSON.stringify(raw, null, 2)}\n`);
  return { platform, platformFile };
}
