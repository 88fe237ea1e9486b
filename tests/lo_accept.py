"""Accept every tracked change of a Word file with LibreOffice (headless), as a reviewer's counterpart would.

LibreOffice has no command-line switch for it; a Basic macro in a throw-away user profile opens
the file hidden, dispatches .uno:AcceptAllTrackedChanges and saves a Word copy.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

_MODULE = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE script:module PUBLIC "-//OpenOffice.org//DTD OfficeDocument 1.0//EN" "module.dtd">
<script:module xmlns:script="http://openoffice.org/2000/script" script:name="Module1" script:language="StarBasic">
Sub AcceptAll(src As String, dst As String)
  Dim args(0) As New com.sun.star.beans.PropertyValue
  args(0).Name = &quot;Hidden&quot;
  args(0).Value = True
  doc = StarDesktop.loadComponentFromURL(ConvertToURL(src), &quot;_blank&quot;, 0, args())
  helper = createUnoService(&quot;com.sun.star.frame.DispatchHelper&quot;)
  helper.executeDispatch(doc.getCurrentController().getFrame(), &quot;.uno:AcceptAllTrackedChanges&quot;, &quot;&quot;, 0, Array())
  Dim out(0) As New com.sun.star.beans.PropertyValue
  out(0).Name = &quot;FilterName&quot;
  out(0).Value = &quot;MS Word 2007 XML&quot;
  doc.storeToURL(ConvertToURL(dst), out())
  doc.close(True)
End Sub
</script:module>
"""


def soffice() -> str | None:
    """Return the LibreOffice executable, or None."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def accept_all(src: Path, dst: Path, workdir: Path, timeout: float = 120) -> Path:
    """Write to `dst` the Word file `src` with all tracked changes accepted; return `dst`."""
    exe = soffice()
    profile = workdir / "lo-profile"
    url = f"file://{profile}"
    if not (profile / "user/basic/Standard/Module1.xba").exists():
        subprocess.run([exe, f"-env:UserInstallation={url}", "--headless", "--terminate_after_init"],
                       check=True, capture_output=True, timeout=timeout)
    (profile / "user/basic/Standard/Module1.xba").write_text(_MODULE, encoding="utf-8")
    subprocess.run([exe, f"-env:UserInstallation={url}", "--headless", "--invisible",
                    f'macro:///Standard.Module1.AcceptAll("{Path(src).resolve()}","{Path(dst).resolve()}")'],
                   check=True, capture_output=True, timeout=timeout)
    if not Path(dst).exists():
        raise RuntimeError(f"LibreOffice wrote no {dst}")
    return Path(dst)
