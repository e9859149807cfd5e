/**
 * `replaceReport`: writes a saved model's HTML report again, atomically, beside its metadata.
 *
 * @module
 */
import { commitFiles, discardFiles, stageFile } from "./_files.ts";
import { reportFileName, siblingPath } from "./artifact_names.ts";

/**
 * Writes `html` to `<stem>.html` beside the model whose `.json` (or `.txt`) is
 * `metadataPath`, replacing the old report atomically. Returns the report's path.
 */
export async function replaceReport(metadataPath: string, html: string): Promise<string> {
  const reportPath = siblingPath(metadataPath, reportFileName);
  const staged = [await stageFile(reportPath, new TextEncoder().encode(html))];
  try {
    await commitFiles(reportPath.slice(0, reportPath.lastIndexOf("/") + 1) || ".", staged);
  } catch (error) {
    await discardFiles(staged);
    throw error;
  }
  return reportPath;
}
