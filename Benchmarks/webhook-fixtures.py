#!/usr/bin/env python3
"""Writes the inputs of webhook-wrk.sh into DIR: review.json (a CREATE AdmissionReview of a GPU Deployment, as
kubectl apply sends it) and, for each N given, state-N/ with N Deployments in the review's namespace, each with
a selector of its own, in files of at most 5,000 objects.

    webhook-fixtures.py DIR N [N ...]
"""
import json
import os
import sys

work = sys.argv[1]
labels = {"model.aibrix.ai/name": "mistral-7b", "model.aibrix.ai/port": "8000", "scaleguard.io/gpu-type": "a40",
          "app.kubernetes.io/name": "mistral-7b-a40", "adapter.model.aibrix.ai/enabled": "true"}
container = {
    "name": "vllm-openai", "image": "vllm/vllm-openai:v0.6.2", "imagePullPolicy": "IfNotPresent",
    "command": ["python3", "-m", "vllm.entrypoints.openai.api_server", "--host", "0.0.0.0", "--port", "8000",
                "--model", "mistralai/Mistral-7B-Instruct-v0.3", "--served-model-name", "mistral-7b",
                "--gpu-memory-utilization", "0.9", "--max-model-len", "8192", "--enable-lora"],
    "ports": [{"containerPort": 8000, "protocol": "TCP", "name": "http"}],
    "env": [{"name": "HF_HOME", "value": "/models"}, {"name": "VLLM_ALLOW_RUNTIME_LORA_UPDATING", "value": "True"}],
    "resources": {"limits": {"nvidia.com/gpu": "1", "cpu": "8", "memory": "48Gi"},
                  "requests": {"nvidia.com/gpu": "1", "cpu": "4", "memory": "32Gi"}},
    "readinessProbe": {"httpGet": {"path": "/health", "port": 8000, "scheme": "HTTP"}, "initialDelaySeconds": 90, "periodSeconds": 5},
    "livenessProbe": {"httpGet": {"path": "/health", "port": 8000, "scheme": "HTTP"}, "initialDelaySeconds": 120, "periodSeconds": 10},
    "volumeMounts": [{"name": "models", "mountPath": "/models"}, {"name": "dshm", "mountPath": "/dev/shm"}],
}
deployment = {
    "apiVersion": "apps/v1", "kind": "Deployment",
    "metadata": {"name": "mistral-7b-a40", "namespace": "default",
                 "labels": {"model.aibrix.ai/name": "mistral-7b", "model.aibrix.ai/min_replicas": "1"},
                 "annotations": {"kubectl.kubernetes.io/last-applied-configuration": "{}"}},
    "spec": {"replicas": 2, "revisionHistoryLimit": 10, "progressDeadlineSeconds": 600,
             "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}},
             "selector": {"matchLabels": {"model.aibrix.ai/name": "mistral-7b", "scaleguard.io/gpu-type": "a40"}},
             "template": {"metadata": {"labels": labels, "annotations": {"prometheus.io/scrape": "true", "prometheus.io/port": "8000"}},
                          "spec": {"containers": [container, {"name": "aibrix-runtime", "image": "aibrix/runtime:v0.2.0",
                                                              "command": ["aibrix_runtime", "--port", "8080"],
                                                              "ports": [{"containerPort": 8080, "protocol": "TCP"}],
                                                              "resources": {"limits": {"cpu": "1", "memory": "1Gi"}}}],
                                   "nodeSelector": {"nvidia.com/gpu.product": "NVIDIA-A40"},
                                   "tolerations": [{"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}],
                                   "volumes": [{"name": "models", "hostPath": {"path": "/mnt/models", "type": "DirectoryOrCreate"}},
                                               {"name": "dshm", "emptyDir": {"medium": "Memory", "sizeLimit": "8Gi"}}],
                                   "restartPolicy": "Always", "terminationGracePeriodSeconds": 60, "dnsPolicy": "ClusterFirst",
                                   "schedulerName": "default-scheduler", "securityContext": {}}}},
}
review = {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": {
    "uid": "0df28fbd-5f5f-11e8-bc74-36e6bb280816", "kind": {"group": "apps", "version": "v1", "kind": "Deployment"},
    "resource": {"group": "apps", "version": "v1", "resource": "deployments"},
    "requestKind": {"group": "apps", "version": "v1", "kind": "Deployment"},
    "requestResource": {"group": "apps", "version": "v1", "resource": "deployments"},
    "name": "mistral-7b-a40", "namespace": "default", "operation": "CREATE",
    "userInfo": {"username": "kubernetes-admin", "groups": ["system:masters", "system:authenticated"]},
    "object": deployment, "oldObject": None, "dryRun": False,
    "options": {"kind": "CreateOptions", "apiVersion": "meta.k8s.io/v1", "fieldManager": "kubectl-client-side-apply"}}}
with open(os.path.join(work, "review.json"), "w") as f:
    json.dump(review, f)


def workload(i):
    name = f"svc-{i}"
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name, "namespace": "default"},
            "spec": {"selector": {"matchLabels": {"app": name}},
                     "template": {"metadata": {"labels": {"app": name, "tier": "web", "team": f"t{i % 50}"}},
                                  "spec": {"containers": [{"name": "c", "image": "nginx",
                                                           "resources": {"requests": {"cpu": "100m"}}}]}}}}


for n in map(int, sys.argv[2:]):
    folder = os.path.join(work, f"state-{n}")
    os.makedirs(folder, exist_ok=True)
    for start in range(0, n, 5000):
        items = [workload(i) for i in range(start, min(n, start + 5000))]
        with open(os.path.join(folder, f"part-{start // 5000:03}.json"), "w") as f:
            json.dump({"apiVersion": "v1", "kind": "List", "items": items}, f)
