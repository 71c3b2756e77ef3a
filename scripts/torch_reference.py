#!/usr/bin/env python3
"""The ladder's OLMo-2 model and training step in PyTorch, timed on the shapes `ladder bench-train`
timed: the reference our burn numbers are read against.

Reads the CSV of `ladder bench-train --csv` (one row per rung: d_model, n_layers, n_heads,
mlp_inner, vocab, seq_len, batch, flops_per_token) and times, for each rung, training steps of the
same model (reordered norms, full-width QK-norm, rotate-half RoPE with theta 5e5, SwiGLU, no
biases, CE + 1e-4 z-loss, AdamW 0.9/0.95/1e-8 with decay 0.1 except the embedding, global-norm
clipping at 1.0) in eager mode and under torch.compile, in f32 and in bf16 autocast. Writes the
same columns as the input (implementation = torch-eager / torch-compile) to --out.

Written for this project; needs only PyTorch. Without PyTorch it exits with status 3 and says so.
"""

import argparse
import csv
import math
import sys
import time


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shapes", required=True, help="CSV of `ladder bench-train --csv`")
    parser.add_argument("--out", required=True, help="CSV to write")
    parser.add_argument("--device", default="cuda", help="torch device (cuda, cpu)")
    parser.add_argument("--precisions", default="f32,bf16")
    parser.add_argument("--modes", default="eager,compile")
    parser.add_argument("--steps", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=2)
    args = parser.parse_args()
    try:
        import torch
    except ImportError as e:  # the device machine has PyTorch; a developer's may not
        print(f"torch_reference: PyTorch is not importable here ({e})", file=sys.stderr)
        return 3
    torch.manual_seed(0)
    device = torch.device(args.device)
    with open(args.shapes) as f:
        shapes = [r for r in csv.DictReader(f)]
    seen = set()
    rows = []
    for s in shapes:
        if s["rung"] in seen:
            continue
        seen.add(s["rung"])
        for precision in args.precisions.split(","):
            for mode in args.modes.split(","):
                rows.append(time_rung(torch, device, s, precision, mode, args.steps, args.warmup))
                print(
                    f"{rows[-1]['implementation']:14} {precision:4} {s['rung']:6} "
                    f"{float(rows[-1]['seconds_per_step']):.4f} s/step  {float(rows[-1]['tokens_per_second']):.0f} tokens/s  "
                    f"{float(rows[-1]['gflops']):.1f} GFLOP/s",
                    flush=True,
                )
    with open(args.out + ".tmp", "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(shapes[0].keys()))
        w.writeheader()
        w.writerows(rows)
    import os

    os.replace(args.out + ".tmp", args.out)
    return 0


def model_class(torch):
    nn = torch.nn
    F = torch.nn.functional

    class RMSNorm(nn.Module):
        def __init__(self, d, eps=1e-6):
            super().__init__()
            self.weight = nn.Parameter(torch.ones(d))
            self.eps = eps

        def forward(self, x):
            x32 = x.float()
            y = x32 * torch.rsqrt(x32.pow(2).mean(-1, keepdim=True) + self.eps)
            return (y * self.weight.float()).to(x.dtype)

    class Block(nn.Module):
        def __init__(self, d, heads, inner):
            super().__init__()
            self.heads = heads
            self.att_proj = nn.Linear(d, 3 * d, bias=False)
            self.attn_out = nn.Linear(d, d, bias=False)
            self.q_norm, self.k_norm, self.attn_norm, self.ff_norm = RMSNorm(d), RMSNorm(d), RMSNorm(d), RMSNorm(d)
            self.ff_proj = nn.Linear(d, 2 * inner, bias=False)
            self.ff_out = nn.Linear(inner, d, bias=False)

        def forward(self, x, cos, sin):
            b, t, d = x.shape
            h, hd = self.heads, d // self.heads
            q, k, v = self.att_proj(x).chunk(3, dim=-1)
            q, k = self.q_norm(q), self.k_norm(k)
            heads = lambda z: z.view(b, t, h, hd).transpose(1, 2)
            q, k, v = heads(q), heads(k), heads(v)

            def rope(z):
                z1, z2 = z[..., : hd // 2], z[..., hd // 2 :]
                return (z.float() * cos + torch.cat([-z2, z1], dim=-1).float() * sin).to(z.dtype)

            att = F.scaled_dot_product_attention(rope(q), rope(k), v, is_causal=True)
            x = x + self.attn_norm(self.attn_out(att.transpose(1, 2).reshape(b, t, d)))
            value, gate = self.ff_proj(x).chunk(2, dim=-1)
            return x + self.ff_norm(self.ff_out(F.silu(gate) * value))

    class Model(nn.Module):
        def __init__(self, d, layers, heads, inner, vocab, seq_len, theta=5e5):
            super().__init__()
            self.embedding = nn.Embedding(vocab, d)
            self.blocks = nn.ModuleList([Block(d, heads, inner) for _ in range(layers)])
            self.ln_f = RMSNorm(d)
            self.lm_head = nn.Linear(d, vocab, bias=False)
            hd = d // heads
            freq = theta ** (-2.0 * (torch.arange(hd) % (hd // 2)).double() / hd)
            angle = torch.arange(seq_len).double()[:, None] * freq[None, :]
            self.register_buffer("cos", angle.cos().float()[None, None], persistent=False)
            self.register_buffer("sin", angle.sin().float()[None, None], persistent=False)
            for p in self.parameters():
                if p.dim() == 2:
                    nn.init.trunc_normal_(p, std=0.02, a=-0.06, b=0.06)

        def forward(self, tokens):
            t = tokens.shape[1]
            x = self.embedding(tokens)
            for block in self.blocks:
                x = block(x, self.cos[:, :, :t], self.sin[:, :, :t])
            return self.lm_head(self.ln_f(x))

    return Model


def time_rung(torch, device, s, precision, mode, steps, warmup):
    Model = model_class(torch)
    d, layers, heads = int(s["d_model"]), int(s["n_layers"]), int(s["n_heads"])
    inner, vocab, seq_len, batch = int(s["mlp_inner"]), int(s["vocab"]), int(s["seq_len"]), int(s["batch"])
    model = Model(d, layers, heads, inner, vocab, seq_len).to(device)
    # The same model: N counts every parameter but the input embedding, as the ladder does.
    n = sum(p.numel() for name, p in model.named_parameters() if not name.startswith("embedding"))
    if n != int(s["n"]):
        raise SystemExit(f"torch_reference: {s['rung']} has N = {n} here but {s['n']} in the ladder: the models differ")
    embedding = [model.embedding.weight]
    rest = [p for n, p in model.named_parameters() if not n.startswith("embedding")]
    optim = torch.optim.AdamW(
        [{"params": rest, "weight_decay": 0.1}, {"params": embedding, "weight_decay": 0.0}], lr=1e-3, betas=(0.9, 0.95), eps=1e-8
    )

    def step(tokens):
        with torch.autocast(device.type, dtype=torch.bfloat16, enabled=precision == "bf16"):
            logits = model(tokens[:, :-1]).float()
        logits = logits.reshape(-1, vocab)
        lse = torch.logsumexp(logits, dim=-1)
        ce = (lse - logits.gather(1, tokens[:, 1:].reshape(-1, 1)).squeeze(1)).mean()
        loss = ce + 1e-4 * lse.pow(2).mean()
        optim.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optim.step()
        return loss

    run = torch.compile(step) if mode == "compile" else step
    ids = torch.arange(batch * (seq_len + 1), device=device).reshape(batch, seq_len + 1)
    tokens = (ids * 7919 + 13) % vocab
    times = []
    for k in range(warmup + max(steps, 1)):
        if device.type == "cuda":
            torch.cuda.synchronize()
        start = time.perf_counter()
        loss = run(tokens)
        loss.item()
        if device.type == "cuda":
            torch.cuda.synchronize()
        if k >= warmup:
            times.append(time.perf_counter() - start)
    times.sort()
    seconds = times[len(times) // 2]
    tokens_per_step = batch * seq_len
    flops = float(s["flops_per_token"]) * tokens_per_step
    row = dict(s)
    row.update(
        implementation=f"torch-{mode}",
        device=str(device),
        precision=precision,
        seconds_per_step=f"{seconds:e}",
        tokens_per_second=f"{tokens_per_step / seconds:e}",
        gflops=f"{flops / seconds / 1e9:e}",
    )
    assert math.isfinite(loss.item()), "the loss is not finite"
    return row


if __name__ == "__main__":
    sys.exit(main())
