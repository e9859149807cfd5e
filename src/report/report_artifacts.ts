/**
 * The files of the report that `save` writes beside a model.
 *
 * @module
 */
import type { EvaluationData, ModelMetadata, ReportArtifacts } from "../types.ts";
import { encodeEvaluation } from "./evaluation_file.ts";
import { renderReport } from "./render_report.ts";

/**
 * What `save` writes beside a model given its metadata: the HTML report and, when the model
 * carries `evaluation`, its encoding.
 */
export function reportArtifacts(
  evaluation: EvaluationData | null,
): (metadata: ModelMetadata) => ReportArtifacts {
  return (metadata) => ({
    html: renderReport(metadata, evaluation),
    evaluation: evaluation ? encodeEvaluation(evaluation) : null,
  });
}
