# Build the bundle, then check the frozen app on Windows: the twin of smoke.sh (--version, a headless colorize
# on OpenVINO, a failed photo's exit code, a scan larger than the render size through the fused join, the
# window's ready line), and the version resource of both executables.
#   powershell -File packaging\smoke.ps1              build, then check
#   $env:SKIP_BUILD = "1"; packaging\smoke.ps1        check the bundle already in dist\
# The bundle has two executables (packaging/colorstudio.spec): colorstudio.exe, a console program, runs the
# command-line checks as a person in a console would; colorstudio-app.exe, the windowed program people start,
# has no console, so what it says goes to its log (COLORSTUDIO_HOME\logs\colorstudio.log, colorstudio.logs):
# each check reads what the run added there, as well as anything printed to a redirected stdout/stderr.
$ErrorActionPreference = "Stop"
Set-Location (Split-Path -Parent $PSScriptRoot)
if ($env:SKIP_BUILD -ne "1") {
    & (Join-Path $PSScriptRoot "build.ps1")  # throws when a step fails
    Set-Location (Split-Path -Parent $PSScriptRoot)
}
$cli = (Resolve-Path "dist\colorstudio\colorstudio.exe").Path
$app = (Resolve-Path "dist\colorstudio\colorstudio-app.exe").Path
$py = "build\venv\Scripts\python.exe"
$work = Join-Path ([IO.Path]::GetTempPath()) ("colorstudio-smoke-" + [Guid]::NewGuid().ToString("N"))
New-Item -ItemType Directory -Path $work | Out-Null
$env:COLORSTUDIO_HOME = Join-Path $work "home"
$log = Join-Path $env:COLORSTUDIO_HOME "logs\colorstudio.log"

function Invoke-App {
    # run an executable of the bundle with these arguments, wait for it; what it said (stdout, stderr, the log's
    # new lines). It must exit with $Expect.
    param([string[]]$Arguments, [int]$Expect = 0, [string]$Exe = $cli)
    $before = 0
    if (Test-Path $log) { $before = (Get-Item $log).Length }
    $out = Join-Path $work "stdout.txt"; $err = Join-Path $work "stderr.txt"
    $run = @{ FilePath = $Exe; Wait = $true; PassThru = $true; NoNewWindow = $true
              RedirectStandardOutput = $out; RedirectStandardError = $err }
    if ($Arguments.Count -gt 0) { $run.ArgumentList = $Arguments }  # Start-Process refuses an empty list
    $p = Start-Process @run
    $said = (Get-Content -Raw $out) + (Get-Content -Raw $err)
    if (Test-Path $log) {
        $stream = [IO.File]::Open($log, "Open", "Read", "ReadWrite")
        try {
            [void]$stream.Seek($before, "Begin")
            $said += (New-Object IO.StreamReader($stream, [Text.Encoding]::UTF8)).ReadToEnd()
        } finally { $stream.Dispose() }
    }
    if ($p.ExitCode -ne $Expect) { Write-Output $said; throw "colorstudio $Arguments exited with $($p.ExitCode)" }
    return $said
}

function Invoke-Python {
    param([string]$Code)
    & $py -c $Code
    if ($LASTEXITCODE -ne 0) { throw "python check failed" }
}

Write-Output "== the version resource"
$version = (& $py packaging\archive.py version).Trim()
foreach ($exe in @($cli, $app)) {
    $info = (Get-Item $exe).VersionInfo
    Write-Output "$(Split-Path -Leaf $exe): ProductVersion $($info.ProductVersion), FileVersion $($info.FileVersion)"
    if ($info.ProductVersion -ne $version) { throw "$exe does not carry the version $version" }
}

Write-Output "== --version"
$said = Invoke-App @("--version")
Write-Output $said
# at a line's end: the log's session header also names the version, followed by more
if ($said -notmatch "(?m)colorstudio \d+(\.\d+)+\s*$") { throw "--version did not say the version" }

Write-Output "== colorize"
$gray = Join-Path $work "gray.png"; $outDir = Join-Path $work "out"
Invoke-Python @"
from PIL import Image; import numpy as np
y, x = np.mgrid[0:96, 0:128]
Image.fromarray((128 + 100 * np.sin(x / 9.0) * np.cos(y / 7.0)).astype('uint8')).save(r'$gray')
"@
$said = Invoke-App @("colorize", "`"$gray`"", "-o", "`"$outDir`"", "--device", "cpu")
Write-Output $said
# the CPU engine must be in the bundle and run, not the fallback to PyTorch
if ($said -notmatch "OpenVINO") { throw "the bundle does not run OpenVINO" }
Invoke-Python @"
from PIL import Image; import numpy as np
a = np.asarray(Image.open(r'$outDir\gray.png').convert('RGB')).astype(int)
spread = np.abs(a[..., 0] - a[..., 2]).mean()
print(f'output channel spread {spread:.1f}'); assert spread > 1, 'the output is still gray'
"@

Write-Output "== a photo that fails: the command line says so and exits 1"
$said = Invoke-App @("colorize", "`"$(Join-Path $work 'missing.png')`"", "-o", "`"$outDir`"") -Expect 1
Write-Output $said
if ($said -notmatch "FAILED") { throw "the failed photo was not reported" }

Write-Output "== colorize a scan larger than the render size (the full-resolution join)"
$scan = Join-Path $work "scan.png"
Invoke-Python @"
from PIL import Image; import numpy as np
y, x = np.mgrid[0:1200, 0:1600]
Image.fromarray((128 + 100 * np.sin(x / 37.0) * np.cos(y / 23.0)).astype('uint8')).save(r'$scan')
"@
$said = Invoke-App @("colorize", "`"$scan`"", "-o", "`"$outDir`"", "--device", "cpu", "--verbose")
($said -split "`n" | Select-Object -Last 4) -join "`n" | Write-Output
# the fused join must be in the bundle and run, not the fallback to OpenCV's
if ($said -notmatch [regex]::Escape("one pass a pixel (numba)")) { throw "the bundle does not run the fused join" }

Write-Output "== GUI"
$env:QT_QPA_PLATFORM = "offscreen"; $env:COLORSTUDIO_SMOKE_TEST = "1"
try { $said = Invoke-App -Arguments @() -Exe $app } finally { Remove-Item Env:QT_QPA_PLATFORM; Remove-Item Env:COLORSTUDIO_SMOKE_TEST }
($said -split "`n" | Select-Object -Last 3) -join "`n" | Write-Output
if ($said -notmatch "READY") { throw "the window did not say READY" }
Write-Output "smoke test passed"
