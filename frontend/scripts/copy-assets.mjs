// Copies GOV.UK Frontend's JavaScript and images, and this service's own icons, into Django's
// static/ folder. Fonts are not copied: a council service must not use GDS Transport.
// Only the paths below are replaced; hand-written files in static/ (such as js/init.js) stay.
import { cpSync, existsSync, mkdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const frontend = join(here, "..");
const govuk = join(frontend, "node_modules", "govuk-frontend", "dist", "govuk");
const statics = join(frontend, "..", "static");

function copy(from, to) {
  if (!existsSync(from)) {
    throw new Error(`Missing ${from}: run npm ci first`);
  }
  mkdirSync(dirname(to), { recursive: true });
  cpSync(from, to, { recursive: true });
  console.log(`copied ${from.replace(frontend + "/", "")} -> ${to.replace(statics, "static")}`);
}

// Module script, plus its source map (the minified file names it, so browsers' tools ask for it).
copy(join(govuk, "govuk-frontend.min.js"), join(statics, "js", "govuk-frontend.min.js"));
copy(join(govuk, "govuk-frontend.min.js.map"), join(statics, "js", "govuk-frontend.min.js.map"));

// GOV.UK images: the compiled CSS refers to govuk/images/govuk-crest.svg (footer), so it must
// exist for ManifestStaticFilesStorage. The crown icons are copied but not linked from pages.
rmSync(join(statics, "govuk"), { recursive: true, force: true });
copy(join(govuk, "assets", "images"), join(statics, "govuk", "images"));
const manifest = join(govuk, "assets", "manifest.json");
if (existsSync(manifest)) {
  copy(manifest, join(statics, "govuk", "manifest.json"));
}

// The service's own favicon (no crown).
copy(join(frontend, "images"), join(statics, "images"));
