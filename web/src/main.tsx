import { render } from 'preact';
import { hasSession } from './api';
import { startSession } from './actions';
import { App } from './components/App';
import './styles.css';

if (hasSession()) startSession();
render(<App />, document.getElementById('app')!);
