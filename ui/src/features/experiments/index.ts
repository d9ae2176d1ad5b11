export { ExperimentsPage } from "./ExperimentsPage";
