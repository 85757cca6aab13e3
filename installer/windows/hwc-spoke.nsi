; Windows installer of HWC Spoke: per-machine, into Program Files, silent with /S.
;
;   makensis -WX -DVERSION=0.1.0 -DPAYLOAD=dist\hwc-spoke [-DICON=build\icons\hwc-spoke.ico]
;            [-DOUTFILE=dist\HWC-Spoke-0.1.0-setup.exe] installer\windows\hwc-spoke.nsi
;
; Field IT, unattended (docs/INSTALLING.md):
;   HWC-Spoke-<version>-setup.exe /S /TOKEN=<enrolment token> [/HUB=https://hub:8443] [/D=C:\Apps\HWC Spoke]
; /D= must come last and unquoted (NSIS's rule). The token and hub go to
; C:\ProgramData\HWC Spoke\provisioning.ini, which the app reads at its first start, enrols
; with, and deletes. Uninstalling removes the program and that file, never the clinic's data
; (each user's AppData\Local\hwc-spoke).

Unicode true
ManifestDPIAware true
SetCompressor /SOLID lzma
RequestExecutionLevel admin

!ifndef VERSION
  !error "VERSION is not defined: makensis -DVERSION=x.y.z ..."
!endif
!ifndef PAYLOAD
  !error "PAYLOAD is not defined: makensis -DPAYLOAD=<the one-folder bundle> ..."
!endif
!ifndef OUTFILE
  !define OUTFILE "HWC-Spoke-${VERSION}-setup.exe"
!endif

!define APP_NAME "HWC Spoke"
!define APP_EXE "hwc-spoke.exe"
!define PUBLISHER "HWC Spoke"
!define UNINSTALL_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\HWC Spoke"
!define PROVISIONING_DIR "$APPDATA\${APP_NAME}"
!define PROVISIONING_FILE "${PROVISIONING_DIR}\provisioning.ini"

!include "MUI2.nsh"
!include "FileFunc.nsh"
!include "LogicLib.nsh"
!include "x64.nsh"

Name "${APP_NAME}"
OutFile "${OUTFILE}"
InstallDir "$PROGRAMFILES64\${APP_NAME}"
InstallDirRegKey HKLM "${UNINSTALL_KEY}" "InstallLocation"
BrandingText "${APP_NAME} ${VERSION}"

; The version resource of setup.exe: VIProductVersion wants four numbers.
VIProductVersion "${VERSION}.0"
VIAddVersionKey /LANG=1033 "ProductName" "${APP_NAME}"
VIAddVersionKey /LANG=1033 "ProductVersion" "${VERSION}"
VIAddVersionKey /LANG=1033 "FileVersion" "${VERSION}"
VIAddVersionKey /LANG=1033 "FileDescription" "${APP_NAME} installer"
VIAddVersionKey /LANG=1033 "CompanyName" "${PUBLISHER}"
VIAddVersionKey /LANG=1033 "LegalCopyright" "Apache-2.0"

!ifdef ICON
  !define MUI_ICON "${ICON}"
  !define MUI_UNICON "${ICON}"
!endif
!define MUI_ABORTWARNING
!define MUI_FINISHPAGE_RUN "$INSTDIR\${APP_EXE}"
!define MUI_FINISHPAGE_RUN_TEXT "Start ${APP_NAME}"

!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH
!define MUI_UNCONFIRMPAGE_TEXT_TOP "The program is removed. The clinic's data (patients, cases, the log) stays in each user's AppData\Local\hwc-spoke folder and is not deleted."
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES
!insertmacro MUI_LANGUAGE "English"

Var Token
Var Hub

Function .onInit
  ${IfNot} ${RunningX64}
    MessageBox MB_ICONSTOP "${APP_NAME} needs 64-bit Windows." /SD IDOK
    Abort
  ${EndIf}
  SetRegView 64
  SetShellVarContext all
  ${GetParameters} $R0
  ClearErrors
  ${GetOptions} $R0 "/TOKEN=" $Token
  ${If} ${Errors}
    StrCpy $Token ""
  ${EndIf}
  ClearErrors
  ${GetOptions} $R0 "/HUB=" $Hub
  ${If} ${Errors}
    StrCpy $Hub ""
  ${EndIf}
FunctionEnd

Function un.onInit
  SetRegView 64
  SetShellVarContext all
FunctionEnd

Section "HWC Spoke" SecMain
  SectionIn RO
  SetOutPath "$INSTDIR"
  ; A reinstall or an update replaces the program, never the data (which is not here).
  RMDir /r "$INSTDIR\_internal"
  File /r "${PAYLOAD}\*.*"

  WriteUninstaller "$INSTDIR\uninstall.exe"
  CreateDirectory "$SMPROGRAMS\${APP_NAME}"
  CreateShortcut "$SMPROGRAMS\${APP_NAME}\${APP_NAME}.lnk" "$INSTDIR\${APP_EXE}"

  WriteRegStr HKLM "${UNINSTALL_KEY}" "DisplayName" "${APP_NAME}"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "Publisher" "${PUBLISHER}"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "DisplayIcon" "$INSTDIR\${APP_EXE}"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegStr HKLM "${UNINSTALL_KEY}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /S'
  WriteRegDWORD HKLM "${UNINSTALL_KEY}" "NoModify" 1
  WriteRegDWORD HKLM "${UNINSTALL_KEY}" "NoRepair" 1
  ${GetSize} "$INSTDIR" "/S=0K" $0 $1 $2
  IntFmt $0 "0x%08X" $0
  WriteRegDWORD HKLM "${UNINSTALL_KEY}" "EstimatedSize" "$0"

  ${If} $Token != ""
    Call WriteProvisioning
  ${EndIf}
SectionEnd

; The enrolment contract with the app (app/services/provisioning.py):
;   C:\ProgramData\HWC Spoke\provisioning.ini
;   [enrolment]
;   token = <the token>
;   hub = <the hub address>        (only when /HUB= was given)
; Users get modify rights on this one file so the app, running as the clinic's user, can
; delete it once it has enrolled.
Function WriteProvisioning
  CreateDirectory "${PROVISIONING_DIR}"
  ClearErrors
  FileOpen $0 "${PROVISIONING_FILE}" w
  ${If} ${Errors}
    MessageBox MB_ICONSTOP "Cannot write ${PROVISIONING_FILE}." /SD IDOK
    SetErrorLevel 2
    Abort
  ${EndIf}
  FileWrite $0 "[enrolment]$\r$\n"
  FileWrite $0 "token = $Token$\r$\n"
  ${If} $Hub != ""
    FileWrite $0 "hub = $Hub$\r$\n"
  ${EndIf}
  FileClose $0
  ; *S-1-5-32-545 is the Users group whatever the Windows language.
  nsExec::ExecToLog 'icacls "${PROVISIONING_FILE}" /grant *S-1-5-32-545:(M)'
  Pop $1
  ${If} $1 != 0
    DetailPrint "icacls could not give Users modify rights on ${PROVISIONING_FILE} ($1)"
  ${EndIf}
FunctionEnd

Section "Uninstall"
  Delete "$SMPROGRAMS\${APP_NAME}\${APP_NAME}.lnk"
  RMDir "$SMPROGRAMS\${APP_NAME}"
  RMDir /r "$INSTDIR\_internal"
  Delete "$INSTDIR\${APP_EXE}"
  Delete "$INSTDIR\hwc-spoke-cli.exe"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR"
  ; A token that was never used must not outlive the program; the clinic's data stays.
  Delete "${PROVISIONING_FILE}"
  RMDir "${PROVISIONING_DIR}"
  DeleteRegKey HKLM "${UNINSTALL_KEY}"
  DetailPrint "The clinic's data in each user's AppData\Local\hwc-spoke is kept."
SectionEnd
