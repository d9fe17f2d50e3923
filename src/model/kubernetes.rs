//! Kubernetes names both sources and the engine rely on, defined once: labels the controllers
//! set, where cluster DNS lives, and the namespaces every cluster has.

/// The label the EndpointSlice controller puts on every slice to name its Service; CoreDNS ties
/// a slice to a Service by it alone (`object/endpoint.go`).
pub const SERVICE_NAME_LABEL: &str = "kubernetes.io/service-name";

/// The label naming who manages an EndpointSlice.
pub const MANAGED_BY_LABEL: &str = "endpointslice.kubernetes.io/managed-by";

/// The value of [`MANAGED_BY_LABEL`] on the EndpointSlice controller's own slices.
pub const ENDPOINTSLICE_CONTROLLER: &str = "endpointslice-controller.k8s.io";

/// The retired annotation only the legacy Endpoints controller read.
pub const TOLERATE_UNREADY_ANNOTATION: &str =
    "service.alpha.kubernetes.io/tolerate-unready-endpoints";

/// The namespace cluster DNS runs in.
pub const DNS_NAMESPACE: &str = "kube-system";

/// The Service in front of cluster DNS, whatever server runs behind it.
pub const DNS_SERVICE: &str = "kube-dns";

/// The label CoreDNS's (and kube-dns's) pods carry.
pub const DNS_POD_LABEL: (&str, &str) = ("k8s-app", "kube-dns");

/// Where distributions keep the Corefile (namespace kube-system, key `Corefile`), in order of
/// preference: kubeadm, EKS, k3s and AKS use `coredns`; RKE2's Helm chart the longer name.
pub const COREFILE_CONFIGMAPS: [&str; 2] = ["coredns", "rke2-coredns-rke2-coredns"];

/// OpenShift's DNS operator keeps its Corefile in its own namespace (key `Corefile`).
pub const OPENSHIFT_COREFILE_CONFIGMAP: (&str, &str) = ("openshift-dns", "dns-default");

/// Every place a Corefile is looked for, as (namespace, name), in order of preference.
pub const COREFILE_LOCATIONS: [(&str, &str); 3] = [
    (DNS_NAMESPACE, COREFILE_CONFIGMAPS[0]),
    (DNS_NAMESPACE, COREFILE_CONFIGMAPS[1]),
    OPENSHIFT_COREFILE_CONFIGMAP,
];

/// The legacy kube-dns server's ConfigMap in kube-system (`stubDomains`, `upstreamNameservers`).
pub const KUBE_DNS_CONFIGMAP: &str = "kube-dns";

/// The key of the Corefile in those ConfigMaps.
pub const COREFILE_KEY: &str = "Corefile";

/// AKS's extra ConfigMap of `*.server` and `*.override` files imported into the Corefile.
pub const AKS_CUSTOM_CONFIGMAP: &str = "coredns-custom";

/// Namespaces every cluster has, so offline input need not carry their objects.
pub const BUILTIN_NAMESPACES: [&str; 4] =
    ["default", "kube-system", "kube-public", "kube-node-lease"];

/// NodeLocal DNSCache's ConfigMap in kube-system (key `Corefile`), as its addon manifest names it.
pub const NODE_LOCAL_DNS_CONFIGMAP: &str = "node-local-dns";
