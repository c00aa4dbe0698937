"""SSH signatures over review statements, made and checked by OpenSSH's ``ssh-keygen -Y``, as git does.

An approver signs the statement of :func:`mltrl.views.attestation.statement` with their key
(``ssh-keygen -Y sign -n mltrl-review``); the registry keeps the armored signature and checks it
against an allowed-signers file (one ``principal key`` line per person, the panel name as the
principal) when the signature is made and whenever ``review show`` runs.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from mltrl.errors import BadInput
from mltrl.views.attestation import NAMESPACE

ENV_ALLOWED_SIGNERS = "MLTRL_ALLOWED_SIGNERS"
DEFAULT_FILE = "allowed_signers"
_GOOD = re.compile(r'Good "[^"]*" signature for .* with \S+ key (\S+)')
_TIMEOUT_S = 30


def _ssh_keygen() -> str:
    found = shutil.which("ssh-keygen")
    if found is None:
        raise BadInput("ssh-keygen is not installed (the OpenSSH client); it makes and checks SSH signatures")
    return found


def allowed_signers(setting: str | None, home: Path | None) -> Path | None:
    """The allowed-signers file: ``$MLTRL_ALLOWED_SIGNERS``, else the policy's, else
    ``.mltrl/allowed_signers`` when it exists (None: no file, signatures cannot be checked)."""
    named = os.environ.get(ENV_ALLOWED_SIGNERS) or setting
    if named:
        path = Path(named).expanduser()
        if not path.is_absolute() and home is not None:
            path = home / path
        return path
    if home is not None and (home / DEFAULT_FILE).is_file():
        return home / DEFAULT_FILE
    return None


def sign(key: Path, message: str) -> str:
    """The armored SSH signature of ``message`` with the private key at ``key``."""
    if not key.is_file():
        raise BadInput(f"--ssh-key {key}: no such key file")
    with tempfile.TemporaryDirectory(prefix="mltrl-sign-") as tmp:
        data = Path(tmp) / "statement"
        data.write_text(message, encoding="utf-8")
        done = subprocess.run(
            [_ssh_keygen(), "-Y", "sign", "-q", "-f", str(key), "-n", NAMESPACE, str(data)],
            capture_output=True,
            text=True,
            timeout=_TIMEOUT_S,
            stdin=subprocess.DEVNULL,
        )
        signature = Path(f"{data}.sig")
        if done.returncode != 0 or not signature.is_file():
            detail = (done.stderr.strip().splitlines() or ["ssh-keygen failed"])[-1]
            raise BadInput(f"--ssh-key {key}: cannot sign: {detail}")
        return signature.read_text(encoding="ascii")


def verify(signers: Path | None, principal: str, message: str, signature: str) -> str:
    """The signing key's fingerprint when ``signature`` is ``principal``'s over ``message`` by a key
    the allowed-signers file lists for them; else :class:`BadInput` saying why not."""
    if signers is None:
        raise BadInput(
            f"no allowed-signers file to check SSH signatures against (.mltrl/{DEFAULT_FILE}, "
            f"settings.ssh_allowed_signers or ${ENV_ALLOWED_SIGNERS})"
        )
    if not signers.is_file():
        raise BadInput(f"allowed-signers file {signers} does not exist")
    with tempfile.TemporaryDirectory(prefix="mltrl-verify-") as tmp:
        sig = Path(tmp) / "statement.sig"
        sig.write_text(signature, encoding="ascii")
        done = subprocess.run(
            [
                _ssh_keygen(),
                "-Y",
                "verify",
                "-f",
                str(signers),
                "-I",
                principal,
                "-n",
                NAMESPACE,
                "-s",
                str(sig),
            ],
            input=message,
            capture_output=True,
            text=True,
            timeout=_TIMEOUT_S,
        )
    match = _GOOD.search(done.stdout + done.stderr)
    if done.returncode != 0 or match is None:
        raise BadInput(
            f"the SSH signature is not {principal}'s over this review's statement "
            f"by a key listed in {signers}"
        )
    return match[1]
