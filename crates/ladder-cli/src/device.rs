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

/// The device of a name with a float precision: `f32`, or `bf16` for every tensor (parameters,
/// activations and optimizer moments alike: burn 0.22 has no mixed precision with f32 master
/// weights), refused with the backend's reason where the device does not support it.
pub fn with_precision(name: &str, precision: &str) -> anyhow::Result<Device> {
    let mut device = parse(name)?;
    match precision {
        "f32" => {}
        "bf16" => {
            device.configure(burn::tensor::FloatDType::BF16).map_err(|e| anyhow::anyhow!("device {name} cannot run in bf16: {e:?}"))?
        }
        other => anyhow::bail!("precision {other:?}: expected f32 or bf16"),
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
        "cuda" => Ok(Device::cuda(
            suffix.map(str::parse).transpose().map_err(|_| anyhow::anyhow!("device {name:?}: expected cuda or cuda:<index>"))?.unwrap_or(0),
        )),
        _ => anyhow::bail!(
            "device {name:?} is not in this build; available: {} (GPU backends are cargo features of ladder-cli: vulkan, wgpu, cuda)",
            available().join(", ")
        ),
    }
}
