// Starts GOV.UK Frontend's components once the module has loaded (no inline script: CSP).
import { initAll } from './govuk-frontend.min.js'

initAll()
