{{/* Chart name, truncated to the 63 characters of a DNS label. */}}
{{- define "reconciler-operator.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Full name of the release's objects. */}}
{{- define "reconciler-operator.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "reconciler-operator.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "reconciler-operator.labels" -}}
helm.sh/chart: {{ include "reconciler-operator.chart" . }}
{{ include "reconciler-operator.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: reconciler
{{- end }}

{{- define "reconciler-operator.selectorLabels" -}}
app.kubernetes.io/name: {{ include "reconciler-operator.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "reconciler-operator.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "reconciler-operator.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* "true" when the operator watches every namespace (and so needs cluster-wide RBAC). */}}
{{- define "reconciler-operator.clusterWide" -}}
{{- if or .Values.rbac.clusterWide .Values.watch.allNamespaces }}true{{ end }}
{{- end }}

{{/*
Name of cluster-scoped objects: the namespace is part of it, so that releases of the same name in
different namespaces do not fight over one ClusterRole.
*/}}
{{- define "reconciler-operator.clusterName" -}}
{{- printf "%s-%s" (include "reconciler-operator.fullname" .) .Release.Namespace }}
{{- end }}

{{/* Permissions on the operator's own resources, shared by the Role and the ClusterRole. */}}
{{- define "reconciler-operator.namespacedRules" -}}
# Database, SchemaPlan and the object kinds: read, watch, keep finalizers and plans up to date.
- apiGroups: ["reconciler.dev"]
  resources: ["*"]
  verbs: ["get", "list", "watch", "patch", "update", "create", "delete"]
- apiGroups: ["reconciler.dev"]
  resources: ["*/status"]
  verbs: ["get", "patch", "update"]
# DSNs come from Secrets referenced by Database resources; read only.
- apiGroups: [""]
  resources: ["secrets"]
  verbs: ["get", "list", "watch"]
# Progress and failures are reported as Kubernetes events.
- apiGroups: [""]
  resources: ["events"]
  verbs: ["create", "patch"]
- apiGroups: ["events.k8s.io"]
  resources: ["events"]
  verbs: ["create", "patch"]
# kopf peering between replicas (namespaced operators).
- apiGroups: ["kopf.dev"]
  resources: ["kopfpeerings"]
  verbs: ["get", "list", "watch", "patch"]
{{- end }}
