; Per-user MCPlex installer: no UAC prompt, installs into %LOCALAPPDATA%\Programs\MCPlex.
; Built by packaging/build.sh with:
;   makensis -DVERSION=<x> -DVERSION4=<a.b.c.d> -DSRCDIR=<dir with both exes> -DOUTFILE=<setup.exe> [-DICON=<app.ico>]
; SRCDIR holds mcplexw.exe (GUI subsystem: the tray app) and mcplex.exe (console subsystem:
; CLI, service commands and the stdio bridge that client configs point at).

Unicode true
SetCompressor /SOLID lzma
; 64 MB: the two exes are near-identical and ~50 MB apart in the solid stream, so the
; second one costs almost nothing (decompressing needs 64 MB of memory).
SetCompressorDictSize 64
ManifestDPIAware true

!ifndef VERSION | VERSION4 | SRCDIR | OUTFILE
  !error "define VERSION, VERSION4, SRCDIR and OUTFILE (see the header of this file)"
!endif

!define APP "MCPlex"
!define PUBLISHER "The MCPlex authors"
; The Run value name is shared with the app's own "Start MCPlex at login" setting (app/osint).
!define RUNKEY "Software\Microsoft\Windows\CurrentVersion\Run"
!define RUNONCEKEY "Software\Microsoft\Windows\CurrentVersion\RunOnce"
!define UNINSTKEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\MCPlex"

Name "${APP}"
OutFile "${OUTFILE}"
RequestExecutionLevel user
InstallDir "$LOCALAPPDATA\Programs\${APP}"
InstallDirRegKey HKCU "${UNINSTKEY}" "InstallLocation"
BrandingText "${APP} ${VERSION}"

VIProductVersion "${VERSION4}"
VIFileVersion "${VERSION4}"
VIAddVersionKey "ProductName" "${APP}"
VIAddVersionKey "ProductVersion" "${VERSION}"
VIAddVersionKey "FileVersion" "${VERSION}"
VIAddVersionKey "FileDescription" "${APP} installer"
VIAddVersionKey "CompanyName" "${PUBLISHER}"
VIAddVersionKey "LegalCopyright" "Copyright (c) The MCPlex authors (MIT License)"

!include "MUI2.nsh"
!include "LogicLib.nsh"
!ifdef ICON
  !define MUI_ICON "${ICON}"
  !define MUI_UNICON "${ICON}"
!endif
!define MUI_COMPONENTSPAGE_NODESC
!define MUI_FINISHPAGE_RUN "$INSTDIR\mcplexw.exe"
!define MUI_FINISHPAGE_RUN_TEXT "Start ${APP} now"
!insertmacro MUI_PAGE_COMPONENTS
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES
!insertmacro MUI_LANGUAGE "English"

; Windows will not overwrite or delete a running exe (mcplex.exe runs as the stdio bridge
; under Claude Desktop and other clients, mcplexw.exe is the tray), but it will rename one in
; place. So an exe in the way is renamed to NAME.old-<n>, and the .old files are deleted
; whenever they are no longer running (on every install and uninstall), without
; Delete /REBOOTOK, which a per-user install cannot use (it needs admin rights).

; MoveAside NAME renames $INSTDIR\<name> to the first free <name>.old-<n>.
!macro MoveAside NAME
  Push "${NAME}"
  Call ${UNFUNC}MoveAside
!macroend

!macro MoveAsideFunc UN
Function ${UN}MoveAside
  Exch $0
  Push $1
  ${If} ${FileExists} "$INSTDIR\$0"
    StrCpy $1 0
    ${DoWhile} ${FileExists} "$INSTDIR\$0.old-$1"
      IntOp $1 $1 + 1
    ${Loop}
    Rename "$INSTDIR\$0" "$INSTDIR\$0.old-$1"
  ${EndIf}
  Pop $1
  Pop $0
FunctionEnd

; QuitTray: asks a running tray to close (taskkill without /F sends it WM_CLOSE), best
; effort: one that stays up is renamed aside like any running exe.
Function ${UN}QuitTray
  Push $0
  nsExec::Exec '"$SYSDIR\taskkill.exe" /IM mcplexw.exe'
  Pop $0 ; exit code or "error": ignored (128: not running)
  Pop $0
FunctionEnd
!macroend
!insertmacro MoveAsideFunc ""
!insertmacro MoveAsideFunc "un."

Section "MCPlex (required)" SecApp
  SectionIn RO
  SetOutPath "$INSTDIR"
  Call QuitTray
  Delete "$INSTDIR\*.old-*" ; leftovers of earlier upgrades; still-running ones stay
  !define UNFUNC ""
  !insertmacro MoveAside "mcplexw.exe"
  !insertmacro MoveAside "mcplex.exe"
  !undef UNFUNC
  File "${SRCDIR}\mcplexw.exe"
  File "${SRCDIR}\mcplex.exe"
  File "${SRCDIR}\LICENSE.txt"
  WriteUninstaller "$INSTDIR\Uninstall.exe"

  CreateShortcut "$SMPROGRAMS\${APP}.lnk" "$INSTDIR\mcplexw.exe" "" "$INSTDIR\mcplexw.exe" 0

  WriteRegStr HKCU "${UNINSTKEY}" "DisplayName" "${APP}"
  WriteRegStr HKCU "${UNINSTKEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKCU "${UNINSTKEY}" "Publisher" "${PUBLISHER}"
  WriteRegStr HKCU "${UNINSTKEY}" "DisplayIcon" "$INSTDIR\mcplexw.exe,0"
  WriteRegStr HKCU "${UNINSTKEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKCU "${UNINSTKEY}" "UninstallString" '"$INSTDIR\Uninstall.exe"'
  WriteRegStr HKCU "${UNINSTKEY}" "QuietUninstallString" '"$INSTDIR\Uninstall.exe" /S'
  WriteRegDWORD HKCU "${UNINSTKEY}" "NoModify" 1
  WriteRegDWORD HKCU "${UNINSTKEY}" "NoRepair" 1
SectionEnd

; Off by default, like the app's own setting; the tray can switch it later.
Section /o "Start MCPlex at login" SecLogin
  WriteRegStr HKCU "${RUNKEY}" "${APP}" '"$INSTDIR\mcplexw.exe"'
SectionEnd

Section "-size"
  ; Estimated size for Apps & features, in KiB, of what was installed.
  SectionGetSize ${SecApp} $0
  WriteRegDWORD HKCU "${UNINSTKEY}" "EstimatedSize" $0
SectionEnd

Section "Uninstall"
  ; Best effort: take MCPlex's entries out of the MCP client configs it wrote, so no client is
  ; left pointing at a deleted binary. `clients disconnect --all` may not exist in older builds
  ; and may fail; its exit code is ignored. nsExec runs it without a console window.
  IfFileExists "$INSTDIR\mcplex.exe" 0 no_cli
    nsExec::Exec '"$INSTDIR\mcplex.exe" clients disconnect --all'
    Pop $0 ; exit code or "error": ignored
  no_cli:

  DeleteRegValue HKCU "${RUNKEY}" "${APP}"
  DeleteRegKey HKCU "${UNINSTKEY}"
  Delete "$SMPROGRAMS\${APP}.lnk"
  ; A running exe cannot be deleted: it is renamed aside, and what is still running stays
  ; until the next login, when a RunOnce command deletes the .old files and the then empty
  ; folder (never anything else: a reinstall in between keeps its files).
  Call un.QuitTray
  !define UNFUNC "un."
  !insertmacro MoveAside "mcplexw.exe"
  !insertmacro MoveAside "mcplex.exe"
  !undef UNFUNC
  Delete "$INSTDIR\*.old-*"
  Delete "$INSTDIR\LICENSE.txt"
  Delete "$INSTDIR\Uninstall.exe"
  RMDir "$INSTDIR"
  ${If} ${FileExists} "$INSTDIR\*.old-*"
    WriteRegStr HKCU "${RUNONCEKEY}" "${APP} cleanup" \
      '"$SYSDIR\cmd.exe" /d /c del /f /q "$INSTDIR\*.old-*" & rd "$INSTDIR"'
  ${EndIf}
SectionEnd
