//! `--device NAME` → a burn device. The only place that names a backend.

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

/// The device of a name with a float precision, refused with the backend's reason where the
/// device does not support it.
pub fn with_precision(name: &str, precision: Precision) -> anyhow::Result<Device> {
    let mut device = parse(name)?;
    if precision == Precision::Bf16 {
        device.configure(burn::tensor::FloatDType::BF16).map_err(|e| anyhow::anyhow!("device {name} cannot run in bf16: {e:?}"))?
    }
    Ok(device)
}

/// Which adapter of a wgpu/Vulkan backend: `vulkan` is the first discrete GPU, `vulkan:N` the
/// N-th, `vulkan:cpu` a software Vulkan driver (Mesa's lavapipe: the GPU code path without a GPU).
#[cfg(any(feature = "vulkan", feature = "wgpu"))]
fn adapter(suffix: Option<&str>) -> anyhow::Result<burn::tensor::DeviceKind> {
    use burn::tensor::DeviceKind;
    Ok(match suffix {
        None => DeviceKind::DiscreteGpu(0),
        Some("cpu") => DeviceKind::Cpu,
        Some(n) => DeviceKind::DiscreteGpu(n.parse().map_err(|_| anyhow::anyhow!("device index {n:?}: expected a number or `cpu`"))?),
    })
}

/// The device of a name: `flex` (CPU), or a GPU backend compiled in by a cargo feature
/// (`vulkan`, `vulkan:1`, `vulkan:cpu`, `wgpu…`, `cuda`).
pub fn parse(name: &str) -> anyhow::Result<Device> {
    let (backend, suffix) = match name.split_once(':') {
        Some((b, s)) => (b, Some(s)),
        None => (name, None),
    };
    match backend {
        "flex" | "cpu" if suffix.is_none() => Ok(Device::flex()),
        #[cfg(feature = "vulkan")]
        "vulkan" => Ok(Device::vulkan(adapter(suffix)?)),
        #[cfg(feature = "wgpu")]
        "wgpu" => Ok(Device::wgpu(adapter(suffix)?)),
        #[cfg(feature = "cuda")]
        "cuda" if !cuda_driver_found() => anyhow::bail!(
            "device {name:?}: the NVIDIA driver's libcuda.so is not on this machine (searched LD_LIBRARY_PATH, the ldconfig cache \
             and the usual folders); CUDA needs the driver, and libnvrtc (CUDA 12 or 13) for compiling kernels"
        ),
        #[cfg(feature = "cuda")]
        "cuda" => Ok(Device::cuda(
            suffix.map(str::parse).transpose().map_err(|_| anyhow::anyhow!("device {name:?}: expected cuda or cuda:<index>"))?.unwrap_or(0),
        )),
        _ => anyhow::bail!(
            "device {name:?} is not in this build; available: {} (GPU backends are cargo features of ladder-cli: vulkan, wgpu, cuda)",
            available().join(", ")
        ),
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
