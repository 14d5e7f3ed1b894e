import { testI18nextQuiet } from '../../../shared/i18next.shared';

testI18nextQuiet();
