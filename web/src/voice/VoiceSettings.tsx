// User settings → Voice: input and output devices (enumerateDevices; output
// through setSinkId where the browser has it) and the microphone's
// processing switches. Saved in this browser and applied to a live call.
import { useEffect, useState } from 'preact/hooks';
import { explain } from '../actions';
import { loadPrefs, type VoicePrefs } from './prefs';
import { applyPrefs } from './session';

type Devices = { inputs: MediaDeviceInfo[]; outputs: MediaDeviceInfo[] };

export function VoiceSettings() {
  const [prefs, setPrefs] = useState<VoicePrefs>(loadPrefs);
  const [devices, setDevices] = useState<Devices>({ inputs: [], outputs: [] });
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    const md = navigator.mediaDevices;
    if (!md?.enumerateDevices) return;
    const load = () =>
      md.enumerateDevices().then(
        (all) => setDevices({ inputs: all.filter((d) => d.kind === 'audioinput'), outputs: all.filter((d) => d.kind === 'audiooutput') }),
        (e) => setError(explain(e)),
      );
    void load();
    md.addEventListener('devicechange', load);
    return () => md.removeEventListener('devicechange', load);
  }, []);
  const update = (change: Partial<VoicePrefs>) => {
    const next = { ...loadPrefs(), ...change };
    setPrefs(next);
    setError(null);
    applyPrefs(next).catch((e) => setError(explain(e)));
  };
  const canPickOutput = 'setSinkId' in HTMLMediaElement.prototype;
  const label = (d: MediaDeviceInfo, i: number, what: string) => d.label || `${what} ${i + 1}`;
  return (
    <div class="form-stack">
      <h3>Voice</h3>
      <label for="voice-input">Input device</label>
      <select id="voice-input" value={prefs.inputDevice} onChange={(e) => update({ inputDevice: (e.target as HTMLSelectElement).value })}>
        <option value="">Default</option>
        {devices.inputs
          .filter((d) => d.deviceId && d.deviceId !== 'default')
          .map((d, i) => (
            <option key={d.deviceId} value={d.deviceId}>
              {label(d, i, 'Microphone')}
            </option>
          ))}
      </select>
      <label for="voice-output">Output device</label>
      <select id="voice-output" value={prefs.outputDevice} disabled={!canPickOutput} onChange={(e) => update({ outputDevice: (e.target as HTMLSelectElement).value })}>
        <option value="">Default</option>
        {devices.outputs
          .filter((d) => d.deviceId && d.deviceId !== 'default')
          .map((d, i) => (
            <option key={d.deviceId} value={d.deviceId}>
              {label(d, i, 'Speaker')}
            </option>
          ))}
      </select>
      {!canPickOutput && <p class="muted small">This browser plays voice on its default output.</p>}
      <fieldset class="radio-group">
        <legend>Microphone processing</legend>
        {(
          [
            ['echoCancellation', 'Echo cancellation'],
            ['noiseSuppression', 'Noise suppression'],
            ['autoGainControl', 'Automatic gain control'],
          ] as const
        ).map(([key, text]) => (
          <label key={key} class="checkbox">
            <input type="checkbox" checked={prefs[key]} onChange={(e) => update({ [key]: (e.target as HTMLInputElement).checked })} /> {text}
          </label>
        ))}
      </fieldset>
      {error && (
        <p class="form-error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
