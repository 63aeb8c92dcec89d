/// The cluster view of `scaleguard serve --demo`: the A100 half of the story, already running,
/// so that applying the A40 Deployment with a model-only selector is denied.
enum DemoCluster {
    static let manifests = """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: llama-a100
          namespace: default
          labels: {model.aibrix.ai/name: llama}
        spec:
          replicas: 2
          selector:
            matchLabels:
              model.aibrix.ai/name: llama
          template:
            metadata:
              labels:
                model.aibrix.ai/name: llama
                model.aibrix.ai/port: "8000"
            spec:
              nodeSelector:
                nvidia.com/gpu.product: NVIDIA-A100-SXM4-80GB
              containers:
                - name: vllm
                  image: vllm/vllm-openai:v0.6.2
                  resources:
                    limits: {nvidia.com/gpu: 1}
        ---
        apiVersion: autoscaling.aibrix.ai/v1alpha1
        kind: PodAutoscaler
        metadata:
          name: llama-a100
          namespace: default
        spec:
          scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: llama-a100}
          minReplicas: 1
          maxReplicas: 8
          scalingStrategy: KPA
          metricsSources:
            - metricSourceType: pod
              protocolType: http
              port: "8000"
              path: /metrics
              targetMetric: gpu_cache_usage_perc
              targetValue: "0.5"
        """
}
