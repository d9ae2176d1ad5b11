// The server's JSON shapes, generated from docs/openapi.json (`npm run gen:api`, see
// docs/ui.md). This module only gives the schemas the UI reads short names; no wire shape is
// written by hand.
import type { components, operations } from "./__generated__/schema";

type Schemas = components["schemas"];
type Json<T> = T extends { content: { "application/json": infer B } } ? B : never;

/** The JSON body an operation takes (by its OpenAPI `operationId`). */
export type RequestBody<Op extends keyof operations> = Json<NonNullable<operations[Op]["requestBody"]>>;
/** The JSON an operation answers with 200 (by its OpenAPI `operationId`). */
export type Answer<Op extends keyof operations> = operations[Op]["responses"] extends { 200: infer R }
  ? Json<R>
  : never;

/** MLflow's error envelope, the body of every error answer. */
export type ErrorResponse = Schemas["ErrorResponse"];

// Tracking
export type KeyValue = Schemas["KeyValue"];
export type Experiment = Schemas["Experiment"];
export type ViewType = NonNullable<RequestBody<"search_experiments_post">["view_type"]>;
export type Metric = Schemas["Metric"];
export type RunInfo = Schemas["RunInfo"];
export type Run = Schemas["Run"];
export type FileInfo = Schemas["FileInfo"];
export type SearchExperimentsResponse = Schemas["SearchExperimentsResponse"];
export type SearchRunsResponse = Schemas["SearchRunsResponse"];
export type MetricHistoryResponse = Schemas["GetMetricHistoryResponse"];

// Traces
export type TraceInfo = Schemas["TraceInfo"];
export type Assessment = Schemas["Assessment"];
export type OtelValue = Schemas["OtelAnyValue"];
export type OtelSpan = Schemas["OtelSpan"];
export type SearchTracesResponse = Schemas["SearchTracesResponse"];
/** One page of one level of a trace's span tree (Ardea's span reads). */
export type SpanPage = Schemas["GetTraceSpansResponse"];
export type TraceMetrics = Schemas["TraceMetrics"];

// The AI gateway's usage rollup (Ardea's read)
export type GatewayUsage = Schemas["GatewayUsage"];
export type GatewayKey = Schemas["GatewayKeyJson"];
export type GatewayKeyList = Schemas["KeyList"];
export type GatewayCreatedKey = Schemas["CreatedKey"];
export type GatewayUsageGroup = Schemas["GatewayUsageGroup"];
export type GatewayUsageMeasures = Schemas["GatewayUsageMeasures"];

// Evaluations (Ardea's reads of logged evaluation runs)
export type EvaluationEstimate = Schemas["EvaluationEstimate"];
export type EvaluationScorerSummary = Schemas["EvaluationScorerSummary"];
export type EvaluationSummary = Schemas["EvaluationSummaryResponse"];
export type EvaluationResults = Schemas["EvaluationResultsResponse"];
export type EvaluationRow = Schemas["EvaluationRow"];
export type EvaluationRowScore = Schemas["EvaluationRowScore"];
export type EvaluationComparison = Schemas["EvaluationComparisonResponse"];
export type EvaluationScorerComparison = Schemas["EvaluationScorerComparison"];

// Judges (the judge builder's preview) and the scorer registry (MLflow's wire)
export type JudgePreview = Schemas["JudgePreviewResponse"];
export type JudgePreviewRow = Schemas["JudgePreviewRow"];
export type JudgeAgreement = Schemas["JudgeAgreement"];
export type JudgeModels = Schemas["JudgeModelsResponse"];
export type RegisteredScorer = Schemas["ScorerJson"];
export type JudgeAlignment = Schemas["JudgeAlignmentJson"];

// Human review queues (Ardea's routes)
export type ReviewQueue = Schemas["ReviewQueueJson"];
export type ReviewItem = Schemas["ReviewItemJson"];
export type LabelSchema = Schemas["LabelSchemaJson"];
export type QueueProgress = Schemas["QueueProgressJson"];
export type ReviewerProgress = Schemas["ReviewerProgressJson"];
export type OnlineScoringConfig = Schemas["OnlineScoringConfigJson"];

// Issues (MLflow's wire) and Ardea's proposals from failing judge verdicts
export type Issue = Schemas["IssueJson"];
export type IssueProposal = Schemas["IssueProposalJson"];

// Evaluation datasets (MLflow's wire plus Ardea's versions and diff)
export type EvaluationDataset = Schemas["EvaluationDatasetJson"];
export type DatasetRecord = Schemas["DatasetRecordJson"];
export type DatasetVersion = Schemas["DatasetVersionJson"];
export type DatasetDiff = Schemas["DatasetDiffResponse"];
export type DatasetRecordChange = Schemas["DatasetRecordChange"];

// Model registry (prompts are registered models and their versions)
export type ModelVersion = Schemas["ModelVersion"];
export type LoggedModel = Schemas["LoggedModel"];
export type LoggedModelRun = Schemas["LoggedModelRun"];

// Server, auth and workspaces
export type ServerInfo = Schemas["ServerInfo"];
export type SessionInfo = Schemas["SessionInfo"];
export type SessionUser = Schemas["SessionUser"];
export type LoginOptions = Schemas["LoginOptions"];
export type Workspace = Schemas["Workspace"];
export type MlflowUser = Schemas["MlflowUser"];
export type UserWithRoles = Schemas["UserWithRoles"];
export type MlflowRole = Schemas["MlflowRole"];
export type MlflowRolePermission = Schemas["MlflowRolePermission"];
export type RoleAssignment = Schemas["RoleAssignment"];
export type UserPermissionRow = Schemas["UserPermissionRow"];
export type AccessInfo = Schemas["AccessInfo"];
export type AccessLevel = Schemas["AccessLevel"];
export type AccessBatch = Schemas["AccessBatch"];
export type AccessGrant = Schemas["AccessGrant"];
export type AccountInfo = Schemas["AccountInfo"];
export type TokenInfo = Schemas["TokenInfoJson"];
export type CreatedToken = Schemas["CreatedToken"];
export type AuditEvent = Schemas["AuditEventInfo"];
export type AuditList = Schemas["AuditList"];

// Monitoring: quality over time and alert rules
export type QualityResponse = Schemas["QualityResponse"];
export type QualitySeries = Schemas["QualitySeriesJson"];
export type QualityBucket = Schemas["QualityBucket"];
export type AlertRule = Schemas["AlertRuleJson"];
export type AlertEvent = Schemas["AlertEventJson"];
