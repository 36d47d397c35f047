package sandbox

import (
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

// Container ports by name; Services target them by name so the numbers live here only.
var containerPorts = map[string]int32{"http": 8080, "metrics": 9090}

// workload returns ledger's StatefulSet or any other service's Deployment.
func workload(s side, sv svc) runtime.Object {
	if sv.stateful {
		return statefulSet(s, sv)
	}
	return &appsv1.Deployment{
		TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"},
		ObjectMeta: objectMeta(sv.namespace, sv.name, appLabels(sv.name)),
		Spec: appsv1.DeploymentSpec{
			Replicas: &sv.replicas,
			Selector: &metav1.LabelSelector{MatchLabels: selector(sv.name)},
			Template: podTemplate(s, sv),
		},
	}
}

// statefulSet carries no volumeClaimTemplates: the sandbox has no volume provisioner, so a
// claim would stay Pending and the pod unschedulable. The data directory is an emptyDir
// instead, and the side's storage class is still seeded for ferry's readiness checks.
func statefulSet(s side, sv svc) *appsv1.StatefulSet {
	return &appsv1.StatefulSet{
		TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "StatefulSet"},
		ObjectMeta: objectMeta(sv.namespace, sv.name, appLabels(sv.name)),
		Spec: appsv1.StatefulSetSpec{
			Replicas:    &sv.replicas,
			ServiceName: sv.name,
			Selector:    &metav1.LabelSelector{MatchLabels: selector(sv.name)},
			Template:    podTemplate(s, sv),
		},
	}
}

func podTemplate(s side, sv svc) corev1.PodTemplateSpec {
	labels := appLabels(sv.name)
	labels["app"] = sv.name
	if sv.behavior != "" {
		labels[BehaviorLabel] = sv.behavior
	}
	spec := corev1.PodSpec{
		ServiceAccountName: sv.name,
		NodeSelector:       map[string]string{s.nodeLabel: s.nodeValue},
		Containers:         []corev1.Container{container(s, sv)},
		Volumes:            volumes(sv),
	}
	if len(sv.initArgs) > 0 {
		init := container(s, sv)
		init.Name, init.Args = sv.initArgs[0], sv.initArgs
		init.Ports, init.VolumeMounts = nil, nil
		// A fixed limit keeps the table's cpu drift to the one main container.
		init.Resources = resources("100m")
		spec.InitContainers = []corev1.Container{init}
	}
	return corev1.PodTemplateSpec{
		ObjectMeta: metav1.ObjectMeta{Labels: labels, Annotations: podAnnotations(s, sv)},
		Spec:       spec,
	}
}

// podAnnotations drive the log writer; on kops a service with an IAM role also gets the
// kube2iam annotation, which the migration replaces with IRSA on the ServiceAccount.
func podAnnotations(s side, sv svc) map[string]string {
	a := map[string]string{
		LogsAnnotation:      sv.logs.profile,
		LogRateAnnotation:   sv.logs.rate,
		LogErrorsAnnotation: sv.logs.errors,
	}
	if sv.logs.inject != "" {
		a[LogInjectAnnotation] = sv.logs.inject
	}
	if sv.role && !s.isEKS() {
		a[kube2iamAnnotation] = s.roleARN(sv.name)
	}
	return a
}

func container(s side, sv svc) corev1.Container {
	c := corev1.Container{
		Name:      sv.name,
		Image:     s.image(sv.name, sv.tag),
		Ports:     []corev1.ContainerPort{{Name: sv.port, ContainerPort: containerPorts[sv.port]}},
		Env:       sv.env,
		Resources: resources(sv.cpuLimit),
	}
	if sv.envFrom != "" {
		c.EnvFrom = []corev1.EnvFromSource{{ConfigMapRef: &corev1.ConfigMapEnvSource{
			LocalObjectReference: corev1.LocalObjectReference{Name: sv.envFrom},
		}}}
	}
	if sv.configVol != "" {
		c.VolumeMounts = append(c.VolumeMounts, corev1.VolumeMount{
			Name: "config", MountPath: "/etc/" + sv.configVol, ReadOnly: true,
		})
	}
	if sv.dataVol != "" {
		c.VolumeMounts = append(c.VolumeMounts, corev1.VolumeMount{Name: "data", MountPath: sv.dataVol})
	}
	return c
}

func volumes(sv svc) []corev1.Volume {
	var out []corev1.Volume
	if sv.configVol != "" {
		out = append(out, corev1.Volume{Name: "config", VolumeSource: corev1.VolumeSource{
			ConfigMap: &corev1.ConfigMapVolumeSource{
				LocalObjectReference: corev1.LocalObjectReference{Name: sv.configVol},
			},
		}})
	}
	if sv.dataVol != "" {
		out = append(out, corev1.Volume{Name: "data", VolumeSource: corev1.VolumeSource{
			EmptyDir: &corev1.EmptyDirVolumeSource{},
		}})
	}
	return out
}

// resources are small on purpose: one simulated node per cluster holds every pod.
func resources(cpuLimit string) corev1.ResourceRequirements {
	return corev1.ResourceRequirements{
		Requests: corev1.ResourceList{
			corev1.ResourceCPU:    resource.MustParse("50m"),
			corev1.ResourceMemory: resource.MustParse("64Mi"),
		},
		Limits: corev1.ResourceList{
			corev1.ResourceCPU:    resource.MustParse(cpuLimit),
			corev1.ResourceMemory: resource.MustParse("256Mi"),
		},
	}
}

func selector(name string) map[string]string {
	return map[string]string{"app.kubernetes.io/name": name}
}
