{{/* The chart name, shortened to 63 characters. */}}
{{- define "scaleguard.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The full name: release-chart unless the release name already holds the chart name. */}}
{{- define "scaleguard.fullname" -}}
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

{{- define "scaleguard.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "scaleguard.selectorLabels" -}}
app.kubernetes.io/name: {{ include "scaleguard.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "scaleguard.labels" -}}
helm.sh/chart: {{ include "scaleguard.chart" . }}
{{ include "scaleguard.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/component: admission-webhook
{{- end }}

{{- define "scaleguard.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "scaleguard.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "scaleguard.tlsSecretName" -}}
{{- default (printf "%s-tls" (include "scaleguard.fullname" .)) .Values.tls.secretName }}
{{- end }}

{{/* The names the serving certificate must carry: the API server calls <service>.<namespace>.svc. */}}
{{- define "scaleguard.dnsNames" -}}
- {{ include "scaleguard.fullname" . }}.{{ .Release.Namespace }}.svc
- {{ include "scaleguard.fullname" . }}.{{ .Release.Namespace }}.svc.cluster.local
{{- end }}

{{/* Whether /validate asks for the API server's client certificate: webhook.clientCA is a PEM or a Secret
     reference; webhook.clientCN needs it. */}}
{{- define "scaleguard.clientCA" -}}
{{- $ca := .Values.webhook.clientCA -}}
{{- if and .Values.webhook.clientCN (not $ca) }}
{{- fail "webhook.clientCN needs webhook.clientCA: only a certificate that verified has a name to match" }}
{{- end }}
{{- if $ca }}true{{ end }}
{{- end }}

{{/* The file name of the client CA in its volume. */}}
{{- define "scaleguard.clientCAKey" -}}
{{- if kindIs "string" .Values.webhook.clientCA }}ca.crt{{ else }}{{ .Values.webhook.clientCA.key | default "ca.crt" }}{{ end }}
{{- end }}

{{/* The ledger mode; an unquoted `off` reads as false in YAML. */}}
{{- define "scaleguard.ledgerMode" -}}
{{- if eq (toString .Values.ledger.mode) "false" }}off{{ else }}{{ .Values.ledger.mode }}{{ end }}
{{- end }}

{{/* The policy reports' API group, or off (an unquoted off reads as false in YAML). */}}
{{- define "scaleguard.reportGroup" -}}
{{- if eq (toString .Values.reports.apiGroup) "false" }}off{{ else }}{{ .Values.reports.apiGroup }}{{ end }}
{{- end }}

{{/* The report resource of that group. */}}
{{- define "scaleguard.reportResource" -}}
{{- if eq (include "scaleguard.reportGroup" .) "openreports.io" }}reports{{ else }}policyreports{{ end }}
{{- end }}
