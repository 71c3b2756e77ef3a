//! `--device NAME` → a [`DeviceSpec`] → a burn device. The only place that names a backend.

use burn::prelude::Device;

/// Names `--device` accepts in this build.
pub fn available() -> Vec<&'static str> {
    let mut names = vec!["flex"];
    if cfg!(feature = "vulkan") {
        names.push("vulkan");
    }
    if cfg!(feature = "wgpu") {
        names.push("wgpu");
    }
    if cfg!(feature = "cuda") {
        names.push("cuda");
    }
    names
}

/// Float precision of every tensor on a device (`f32` or `bf16` on the command line).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Precision {
    /// 32-bit floats.
    F32,
    /// bfloat16 for every tensor: parameters, activations and optimizer moments alike (burn 0.22
    /// has no mixed precision with f32 master weights).
    Bf16,
}

impl std::str::FromStr for Precision {
    type Err = String;

    fn from_str(name: &str) -> Result<Precision, String> {
        match name {
            "f32" => Ok(Precision::F32),
            "bf16" => Ok(Precision::Bf16),
            other => Err(format!("precision {other:?}: expected f32 or bf16")),
        }
    }
}

impl std::fmt::Display for Precision {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Precision::F32 => "f32",
            Precision::Bf16 => "bf16",
        })
    }
}

/// Why a device cannot be used by this build, with the ones that can.
fn not_in_build(device: &str) -> String {
    let available = available().join(", ");
    format!(
        "device {device} is not in this build; available: {available} (GPU backends are cargo features of ladder-cli: vulkan, wgpu, cuda)"
    )
}

/// Which adapter of a wgpu/Vulkan backend: `vulkan` is the first discrete GPU, `vulkan:N` the
/// N-th, `vulkan:cpu` a software Vulkan driver (Mesa's lavapipe: the GPU code path without a GPU).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Adapter {
    /// The N-th discrete GPU.
    Gpu(usize),
    /// A software driver on the CPU.
    Cpu,
}

/// A device as `--device` names it: `flex` (the CPU; also `cpu`), or a GPU backend compiled in
/// by a cargo feature of ladder-cli: `vulkan`, `vulkan:1`, `vulkan:cpu`, `wgpu…`, `cuda`,
/// `cuda:1`. Parsed once (an unknown name or a backend not in this build is refused with the
/// available ones); written back the same way for child processes and tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeviceSpec {
    /// burn's flex CPU backend.
    Flex,
    /// burn's Vulkan backend on an adapter.
    Vulkan(Adapter),
    /// burn's wgpu backend on an adapter.
    Wgpu(Adapter),
    /// burn's CUDA backend on the N-th GPU.
    Cuda(usize),
}

impl std::str::FromStr for DeviceSpec {
    type Err = String;

    fn from_str(name: &str) -> Result<DeviceSpec, String> {
        let (backend, suffix) = match name.split_once(':') {
            Some((b, s)) => (b, Some(s)),
            None => (name, None),
        };
        let adapter = || match suffix {
            None => Ok(Adapter::Gpu(0)),
            Some("cpu") => Ok(Adapter::Cpu),
            Some(n) => n.parse().map(Adapter::Gpu).map_err(|_| format!("device {name:?}: expected an index or `cpu` after `{backend}:`")),
        };
        let spec = match backend {
            "flex" | "cpu" if suffix.is_none() => DeviceSpec::Flex,
            "vulkan" if cfg!(feature = "vulkan") => DeviceSpec::Vulkan(adapter()?),
            "wgpu" if cfg!(feature = "wgpu") => DeviceSpec::Wgpu(adapter()?),
            "cuda" if cfg!(feature = "cuda") => DeviceSpec::Cuda(
                suffix.map(str::parse).transpose().map_err(|_| format!("device {name:?}: expected cuda or cuda:<index>"))?.unwrap_or(0),
            ),
            _ => return Err(not_in_build(&format!("{name:?}"))),
        };
        Ok(spec)
    }
}

impl std::fmt::Display for DeviceSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let adapter = |f: &mut std::fmt::Formatter<'_>, backend: &str, adapter: &Adapter| match adapter {
            Adapter::Gpu(0) => f.write_str(backend),
            Adapter::Gpu(n) => write!(f, "{backend}:{n}"),
            Adapter::Cpu => write!(f, "{backend}:cpu"),
        };
        match self {
            DeviceSpec::Flex => f.write_str("flex"),
            DeviceSpec::Vulkan(a) => adapter(f, "vulkan", a),
            DeviceSpec::Wgpu(a) => adapter(f, "wgpu", a),
            DeviceSpec::Cuda(0) => f.write_str("cuda"),
            DeviceSpec::Cuda(n) => write!(f, "cuda:{n}"),
        }
    }
}

impl DeviceSpec {
    /// The burn device (a CUDA device only where the NVIDIA driver is found).
    pub fn device(&self) -> anyhow::Result<Device> {
        #[cfg(any(feature = "vulkan", feature = "wgpu"))]
        let kind = |a: &Adapter| match *a {
            Adapter::Gpu(n) => burn::tensor::DeviceKind::DiscreteGpu(n),
            Adapter::Cpu => burn::tensor::DeviceKind::Cpu,
        };
        match self {
            DeviceSpec::Flex => Ok(Device::flex()),
            #[cfg(feature = "vulkan")]
            DeviceSpec::Vulkan(a) => Ok(Device::vulkan(kind(a))),
            #[cfg(feature = "wgpu")]
            DeviceSpec::Wgpu(a) => Ok(Device::wgpu(kind(a))),
            #[cfg(feature = "cuda")]
            DeviceSpec::Cuda(_) if !cuda_driver_found() => anyhow::bail!(
                "device {self}: the NVIDIA driver's libcuda.so is not on this machine (searched LD_LIBRARY_PATH, the ldconfig cache \
                 and the usual folders); CUDA needs the driver, and libnvrtc (CUDA 12 or 13) for compiling kernels"
            ),
            #[cfg(feature = "cuda")]
            DeviceSpec::Cuda(n) => Ok(Device::cuda(*n)),
            #[allow(unreachable_patterns)]
            other => Err(anyhow::anyhow!(not_in_build(&other.to_string()))),
        }
    }

    /// The device with every tensor in `precision`, refused with the backend's reason where the
    /// device does not support it.
    pub fn with_precision(&self, precision: Precision) -> anyhow::Result<Device> {
        let mut device = self.device()?;
        if precision == Precision::Bf16 {
            device.configure(burn::tensor::FloatDType::BF16).map_err(|e| anyhow::anyhow!("device {self} cannot run in bf16: {e:?}"))?
        }
        Ok(device)
    }
}

/// Whether the CUDA driver library can be found (cudarc loads it on first use and panics in a
/// device thread when it cannot).
#[cfg(feature = "cuda")]
fn cuda_driver_found() -> bool {
    let in_cache = ["ldconfig", "/sbin/ldconfig"].iter().any(|ldconfig| {
        std::process::Command::new(ldconfig).arg("-p").output().is_ok_and(|out| String::from_utf8_lossy(&out.stdout).contains("libcuda.so"))
    });
    let mut dirs: Vec<std::path::PathBuf> =
        std::env::var_os("LD_LIBRARY_PATH").map(|p| std::env::split_paths(&p).collect()).unwrap_or_default();
    dirs.extend(
        [
            "/usr/lib/x86_64-linux-gnu",
            "/usr/lib64",
            "/usr/lib",
            "/lib/x86_64-linux-gnu",
            "/usr/local/cuda/lib64",
            "/usr/local/cuda/compat",
            "/usr/local/nvidia/lib64",
            "/usr/lib/wsl/lib",
        ]
        .map(std::path::PathBuf::from),
    );
    in_cache || dirs.iter().any(|dir| ["libcuda.so.1", "libcuda.so"].iter().any(|name| dir.join(name).exists()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn device_names_parse_once_and_write_back_the_same() {
        let flex: DeviceSpec = "flex".parse().unwrap();
        assert_eq!((flex, "cpu".parse::<DeviceSpec>().unwrap()), (DeviceSpec::Flex, DeviceSpec::Flex));
        assert_eq!(flex.to_string(), "flex");
        for (name, feature) in [("vulkan", cfg!(feature = "vulkan")), ("wgpu", cfg!(feature = "wgpu"))] {
            for (suffix, adapter) in [("", Adapter::Gpu(0)), (":1", Adapter::Gpu(1)), (":cpu", Adapter::Cpu)] {
                let text = format!("{name}{suffix}");
                match text.parse::<DeviceSpec>() {
                    Ok(spec) => {
                        assert!(feature, "{text} parsed without its feature");
                        assert_eq!(spec.to_string(), text);
                        assert!(matches!(spec, DeviceSpec::Vulkan(a) | DeviceSpec::Wgpu(a) if a == adapter), "{spec:?}");
                    }
                    Err(e) => assert!(!feature && e.contains("not in this build") && e.contains("available: flex"), "{e}"),
                }
            }
            if feature {
                assert!(format!("{name}:x").parse::<DeviceSpec>().unwrap_err().contains("an index or `cpu`"));
            }
        }
        if cfg!(feature = "cuda") {
            assert_eq!("cuda:2".parse::<DeviceSpec>().unwrap(), DeviceSpec::Cuda(2));
            assert_eq!(DeviceSpec::Cuda(0).to_string(), "cuda");
        }
        assert!("tpu".parse::<DeviceSpec>().unwrap_err().contains("not in this build"));
        assert!("flex:1".parse::<DeviceSpec>().is_err());
    }
}
