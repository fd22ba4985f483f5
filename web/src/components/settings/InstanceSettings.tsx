import { useEffect, useState } from 'preact/hooks';
import { api } from '../../api';
import type { Instance } from '../../types';
import { Modal } from '../common';
import { useAction } from './shared';

export function InstanceSettings({ onClose }: { onClose: () => void }) {
  const [inst, setInst] = useState<Instance | null>(null);
  const a = useAction();
  useEffect(() => {
    api<Instance>('GET', '/instance').then(setInst, () => {});
  }, []);
  return (
    <Modal title="Instance settings" onClose={onClose}>
      {inst && (
        <form
          class="form-stack"
          onSubmit={(e) => {
            e.preventDefault();
            void a.run(async () => setInst(await api<Instance>('PATCH', '/instance', { name: inst.name, registration: inst.registration, max_upload_bytes: inst.max_upload_bytes })), 'Instance saved');
          }}
        >
          <label for="inst-name">Instance name</label>
          <input id="inst-name" value={inst.name} maxLength={64} onInput={(e) => setInst({ ...inst, name: (e.target as HTMLInputElement).value })} />
          <label for="inst-reg">Registration</label>
          <select id="inst-reg" value={inst.registration} onChange={(e) => setInst({ ...inst, registration: (e.target as HTMLSelectElement).value as Instance['registration'] })}>
            <option value="open">Open: anyone may register</option>
            <option value="invite">Invite only: a space invite is needed</option>
            <option value="closed">Closed: nobody may register</option>
          </select>
          <label for="inst-upload">Upload limit (MiB)</label>
          <input
            id="inst-upload"
            type="number"
            min={1}
            value={Math.round(inst.max_upload_bytes / 1048576)}
            onInput={(e) => setInst({ ...inst, max_upload_bytes: Math.max(1, Number((e.target as HTMLInputElement).value)) * 1048576 })}
          />
          <p class="muted small">Version {inst.version}</p>
          <a.Err />
          <div class="modal-actions">
            <button class="primary" type="submit" disabled={a.busy}>
              Save
            </button>
          </div>
        </form>
      )}
    </Modal>
  );
}
