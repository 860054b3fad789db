# Build the one-folder application bundle on Windows from a clean virtual environment: the twin of build.sh.
#   powershell -File packaging\build.ps1          (PowerShell 5.1 or 7)
# $env:PYTHON picks the interpreter (default: py -3.11); $env:PIP_TORCH installs a torch first, as in build.sh.
# Output: dist\colorstudio\ with colorstudio-app.exe (the windowed program people start) and colorstudio.exe (the
# console program: the command line), both with the icon and the version resource (packaging/colorstudio.spec).
$ErrorActionPreference = "Stop"
Set-Location (Split-Path -Parent $PSScriptRoot)

function Invoke-Checked {
    param([string]$Exe, [string[]]$Arguments)
    & $Exe @Arguments
    if ($LASTEXITCODE -ne 0) { throw "$Exe $($Arguments -join ' ') failed with exit code $LASTEXITCODE" }
}

if ($env:PYTHON) { Invoke-Checked $env:PYTHON @("-m", "venv", "build\venv") }
else { Invoke-Checked "py" @("-3.11", "-m", "venv", "build\venv") }
$py = "build\venv\Scripts\python.exe"
Invoke-Checked $py @("-m", "pip", "install", "-q", "--upgrade", "pip")
if ($env:PIP_TORCH) { Invoke-Checked $py (@("-m", "pip", "install", "-q") + ($env:PIP_TORCH -split " ")) }
Invoke-Checked $py @("-m", "pip", "install", "-q", ".[packaging]")
Invoke-Checked $py @("packaging\make_icons.py")
$start = Get-Date
Invoke-Checked "build\venv\Scripts\pyinstaller.exe" @("--noconfirm", "--log-level", "WARN", "--distpath", "dist",
    "--workpath", "build\pyinstaller", "packaging\colorstudio.spec")
$size = (Get-ChildItem -Recurse -File dist\colorstudio | Measure-Object -Property Length -Sum).Sum / 1MB
Write-Output ("built dist\colorstudio in {0:N0} s, {1:N0} MB" -f ((Get-Date) - $start).TotalSeconds, $size)
