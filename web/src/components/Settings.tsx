// Settings screens, one file per area under settings/.
export { UserSettings } from './settings/UserSettings';
export { SpaceSettings } from './settings/SpaceSettings';
export { InstanceSettings } from './settings/InstanceSettings';
