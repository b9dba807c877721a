{{/* Name of the chart's objects: the release name, or <release>-rocketmq-operator when it does not say it. */}}
{{- define "rocketmq-operator.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "rocketmq-operator.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: hooks
{{- end -}}

{{- define "rocketmq-operator.labels" -}}
{{ include "rocketmq-operator.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}

{{/* Labels of cluster-wide objects (CompositeControllers), which have no component. */}}
{{- define "rocketmq-operator.clusterLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}

{{/* The one operator image: the hook container's image and RUNNER_IMAGE, the image of the Jobs it renders. */}}
{{- define "rocketmq-operator.image" -}}
{{- $tag := .Values.image.tag | default .Chart.AppVersion | toString -}}
{{- $ref := .Values.image.repository -}}
{{- if $tag }}{{ $ref = printf "%s:%s" $ref $tag }}{{ end -}}
{{- if .Values.image.digest }}{{ $ref = printf "%s@%s" $ref .Values.image.digest }}{{ end -}}
{{- $ref -}}
{{- end -}}

{{- define "rocketmq-operator.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- .Values.serviceAccount.name | default (include "rocketmq-operator.fullname" .) -}}
{{- else -}}
{{- .Values.serviceAccount.name | default "default" -}}
{{- end -}}
{{- end -}}

{{/* One Metacontroller hook served by this release: (dict "root" $ "path" "/sync/broker"). */}}
{{- define "rocketmq-operator.hook" -}}
version: v2
webhook:
  service:
    name: {{ include "rocketmq-operator.fullname" .root }}
    namespace: {{ .root.Release.Namespace }}
    port: {{ .root.Values.service.port }}
  path: {{ .path }}
  timeout: {{ .root.Values.compositeControllers.hookTimeout }}
  responseUnMarshallMode: strict
{{- end -}}
